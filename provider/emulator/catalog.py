"""What the emulator knows about each object type: model names, scoping, sharing, singletons.

One place answers "is ``/api/<type>`` an object collection, what is its model name (used in
error messages), is it cloud-scoped for name uniqueness, is it shared from the admin tenant".
The model table lists the 30.2.1 Swagger object paths (facts, generated once from the vendor's
per-object specs: path -> definition name).
"""

from __future__ import annotations

import re

MODELS: dict[str, str] = {
    "actiongroupconfig": "ActionGroupConfig",
    "albservicesconfig": "ALBServicesConfig",
    "albservicesfiledownload": "ALBServicesFileDownload",
    "albservicesfileupload": "ALBServicesFileUpload",
    "albservicesjob": "ALBServicesJob",
    "alert": "Alert",
    "alertconfig": "AlertConfig",
    "alertemailconfig": "AlertEmailConfig",
    "alertobjectlist": "AlertObjectList",
    "alertscriptconfig": "AlertScriptConfig",
    "alertsyslogconfig": "AlertSyslogConfig",
    "analyticsprofile": "AnalyticsProfile",
    "apiclifsruntime": "APICLifsRuntime",
    "application": "Application",
    "applicationpersistenceprofile": "ApplicationPersistenceProfile",
    "applicationprofile": "ApplicationProfile",
    "authmappingprofile": "AuthMappingProfile",
    "authprofile": "AuthProfile",
    "autoscalelaunchconfig": "AutoScaleLaunchConfig",
    "availabilityzone": "AvailabilityZone",
    "backup": "Backup",
    "backupconfiguration": "BackupConfiguration",
    "botconfigconsolidator": "BotConfigConsolidator",
    "botdetectionpolicy": "BotDetectionPolicy",
    "botipreputationtypemapping": "BotIPReputationTypeMapping",
    "botmapping": "BotMapping",
    "certificatemanagementprofile": "CertificateManagementProfile",
    "cloud": "Cloud",
    "cloud-inventory": "CloudInventory",
    "cloudconnectoruser": "CloudConnectorUser",
    "cloudproperties": "CloudProperties",
    "cloudruntime": "CloudRuntime",
    "cluster": "Cluster",
    "clusterclouddetails": "ClusterCloudDetails",
    "controllerportalregistration": "ControllerPortalRegistration",
    "controllerproperties": "ControllerProperties",
    "controllersite": "ControllerSite",
    "csrfpolicy": "CSRFPolicy",
    "customerportalinfo": "CustomerPortalInfo",
    "customipamdnsprofile": "CustomIpamDnsProfile",
    "debugcontroller": "DebugController",
    "debugserviceengine": "DebugServiceEngine",
    "debugvirtualservice": "DebugVirtualService",
    "dnspolicy": "DnsPolicy",
    "dynamicdnsrecord": "DynamicDnsRecord",
    "errorpagebody": "ErrorPageBody",
    "errorpageprofile": "ErrorPageProfile",
    "federationcheckpoint": "FederationCheckpoint",
    "fileobject": "FileObject",
    "geodb": "GeoDB",
    "gslb": "Gslb",
    "gslb-inventory": "GslbInventory",
    "gslbgeodbprofile": "GslbGeoDbProfile",
    "gslbservice": "GslbService",
    "gslbservice-inventory": "GslbServiceInventory",
    "hardwaresecuritymodulegroup": "HardwareSecurityModuleGroup",
    "healthmonitor": "HealthMonitor",
    "httppolicyset": "HTTPPolicySet",
    "icapprofile": "IcapProfile",
    "image": "Image",
    "inventoryfaultconfig": "InventoryFaultConfig",
    "ipaddrgroup": "IpAddrGroup",
    "ipamdnsproviderprofile": "IpamDnsProviderProfile",
    "ipreputationdb": "IPReputationDB",
    "jobs": "JobEntry",
    "jwtprofile": "JWTProfile",
    "jwtserverprofile": "JWTServerProfile",
    "l4policyset": "L4PolicySet",
    "labelgroup": "LabelGroup",
    "license": "ControllerLicense",
    "logcontroller": "LogControllerMapping",
    "memorybalancernotifier": "MemoryBalancerRequest",
    "microservice": "MicroService",
    "microservicegroup": "MicroServiceGroup",
    "natpolicy": "NatPolicy",
    "network": "Network",
    "networkprofile": "NetworkProfile",
    "networkruntime": "NetworkRuntime",
    "networksecuritypolicy": "NetworkSecurityPolicy",
    "networkservice": "NetworkService",
    "nsxtsegmentruntime": "NsxtSegmentRuntime",
    "objectaccesspolicy": "ObjectAccessPolicy",
    "pingaccessagent": "PingAccessAgent",
    "pkiprofile": "PKIProfile",
    "pool": "Pool",
    "pool-inventory": "PoolInventory",
    "poolgroup": "PoolGroup",
    "poolgroup-inventory": "PoolGroupInventory",
    "poolgroupdeploymentpolicy": "PoolGroupDeploymentPolicy",
    "portalfileupload": "PortalFileUpload",
    "prioritylabels": "PriorityLabels",
    "protocolparser": "ProtocolParser",
    "role": "Role",
    "scheduler": "Scheduler",
    "scpoolserverstateinfo": "SCPoolServerStateInfo",
    "scvsstateinfo": "SCVsStateInfo",
    "securechannelavailablelocalips": "SecureChannelAvailableLocalIPs",
    "securechannelmapping": "SecureChannelMapping",
    "securechanneltoken": "SecureChannelToken",
    "securitymanagerdata": "SecurityManagerData",
    "securitypolicy": "SecurityPolicy",
    "seproperties": "SeProperties",
    "serverautoscalepolicy": "ServerAutoScalePolicy",
    "serviceauthprofile": "ServiceAuthProfile",
    "serviceengine": "ServiceEngine",
    "serviceengine-inventory": "ServiceEngineInventory",
    "serviceenginegroup": "ServiceEngineGroup",
    "serviceenginepolicy": "ServiceEnginePolicy",
    "siteversion": "SiteVersion",
    "snmptrapprofile": "SnmpTrapProfile",
    "sslkeyandcertificate": "SSLKeyAndCertificate",
    "sslprofile": "SSLProfile",
    "ssopolicy": "SSOPolicy",
    "statediffoperation": "StatediffSnapshot",
    "stringgroup": "StringGroup",
    "systemconfiguration": "SystemConfiguration",
    "systemlimits": "SystemLimits",
    "systemreport": "SystemReport",
    "tenant": "Tenant",
    "tenantsystemconfiguration": "TenantSystemConfiguration",
    "testsedatastorelevel1": "TestSeDatastoreLevel1",
    "testsedatastorelevel2": "TestSeDatastoreLevel2",
    "testsedatastorelevel3": "TestSeDatastoreLevel3",
    "trafficcloneprofile": "TrafficCloneProfile",
    "upgradestatusinfo": "UpgradeStatusSummary",
    "user": "User",
    "useraccountprofile": "UserAccountProfile",
    "useractivity": "UserActivity",
    "vcenterserver": "VCenterServer",
    "vimgrclusterruntime": "VIMgrClusterRuntime",
    "vimgrcontrollerruntime": "VIMgrControllerRuntime",
    "vimgrdcruntime": "VIMgrDCRuntime",
    "vimgrhostruntime": "VIMgrHostRuntime",
    "vimgrnwruntime": "VIMgrNWRuntime",
    "vimgrsevmruntime": "VIMgrSEVMRuntime",
    "vimgrvcenterdatacenters": "VIDCInfo",
    "vimgrvcenternetworks": "VIPGNameInfo",
    "vimgrvcenterruntime": "VIMgrVcenterRuntime",
    "vimgrvmruntime": "VIMgrVMRuntime",
    "virtualservice": "VirtualService",
    "virtualservice-inventory": "VsInventory",
    "vrfcontext": "VrfContext",
    "vsdatascriptset": "VSDataScriptSet",
    "vsgs": "VsGs",
    "vsvip": "VsVip",
    "vsvip-inventory": "VsvipInventory",
    "wafapplicationsignatureprovider": "WafApplicationSignatureProvider",
    "wafcrs": "WafCRS",
    "wafpolicy": "WafPolicy",
    "wafpolicypsmgroup": "WafPolicyPSMGroup",
    "wafpolicypsmgroup-inventory": "WafPolicyPSMGroupInventory",
    "wafprofile": "WafProfile",
    "webapput": "WebappUT",
    "webhook": "Webhook",
}

# Types whose names are unique per (tenant, cloud) rather than per tenant (docs/avi-api.md §5.2).
CLOUD_SCOPED_NAMES = frozenset({"vrfcontext", "serviceenginegroup", "network"})

# Types that carry a cloud_ref filled with Default-Cloud when absent (docs/avi-api.md §1.4).
CLOUD_REF_TYPES = frozenset(
    {"pool", "poolgroup", "vsvip", "virtualservice", "vrfcontext", "serviceenginegroup", "network"}
)

# Admin-tenant objects other tenants can see and reference (docs/avi-api.md §5.2, "sharing admin
# profiles"; clouds, SE groups, VRFs and networks via provider context).
SHARED_TYPES = frozenset(
    {
        "healthmonitor",
        "applicationprofile",
        "networkprofile",
        "sslprofile",
        "pkiprofile",
        "analyticsprofile",
        "applicationpersistenceprofile",
        "stringgroup",
        "ipaddrgroup",
        "sslkeyandcertificate",
        "cloud",
        "serviceenginegroup",
        "vrfcontext",
        "network",
        "ipamdnsproviderprofile",
        "wafprofile",
        "wafpolicy",
        "errorpageprofile",
        "errorpagebody",
        "role",
        "useraccountprofile",
        "authprofile",
    }
)

# Objects not owned by any tenant: visible from every tenant context.
GLOBAL_TYPES = frozenset(
    {
        "tenant",
        "user",
        "systemconfiguration",
        "controllerproperties",
        "seproperties",
        "cluster",
        "cloudproperties",
    }
)

# PUT-only singletons served on the collection path (docs/avi-api.md §1.6).
SINGLETONS = frozenset({"systemconfiguration", "controllerproperties", "seproperties", "cluster"})

# Read-only computed collections (answered by the runtime module, not the store).
INVENTORY_SUFFIX = "-inventory"

_CAMEL = re.compile(r"(((?<=[a-z])[A-Z])|([A-Z](?![A-Z]|$)))")


def is_known_type(obj_type: str) -> bool:
    return obj_type in MODELS


def model_name(obj_type: str) -> str:
    """``virtualservice`` -> ``VirtualService`` (used in ``<Model> object not found``)."""
    return MODELS.get(obj_type, obj_type)


def verbose_name(obj_type: str) -> str:
    """Django's verbose name of the model: ``VrfContext`` -> ``Vrf context``."""
    spaced = _CAMEL.sub(r" \1", model_name(obj_type)).strip().lower()
    return spaced[:1].upper() + spaced[1:]


def duplicate_message(obj_type: str) -> str:
    """The recorded 409 text for a name clash in scope."""
    if obj_type == "tenant":
        return f"{verbose_name(obj_type)} with this Name already exists."
    if obj_type in CLOUD_SCOPED_NAMES:
        return f"{verbose_name(obj_type)} with this Name, Tenant ref and Cloud ref already exists."
    return f"{verbose_name(obj_type)} with this Name and Tenant ref already exists."
