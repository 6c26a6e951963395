# Controller-side GSLB setup on the leader (a dedicated DNS/GSLB site): the DNS virtual service
# that answers for avi.example.com, and the gslb object with the leader's own site (serving that
# DNS VS) and the two member sites that run lb-demo. In a real deployment the
# cluster_uuid of each site is its controller cluster's uuid (GET /api/cluster on that site)
# and the credentials are a GSLB user of that site; here they are the demo's values.
variable "site_password" {
  type      = string
  sensitive = true
  default   = "demo-site-password"
}

resource "avi_vsvip" "dns" {
  name = "gslb-dns"
  vip {
    vip_id = "0"
    ip_address {
      addr = "10.0.0.53"
      type = "V4"
    }
  }
}

resource "avi_virtualservice" "dns" {
  name                    = "gslb-dns"
  vsvip_ref               = avi_vsvip.dns.id
  application_profile_ref = "/api/applicationprofile?name=System-DNS"
  network_profile_ref     = "/api/networkprofile?name=System-UDP-Per-Pkt"
  services {
    port = 53
  }
}

resource "avi_gslb" "default" {
  name                = "Default"
  leader_cluster_uuid = "cluster-emulated"

  dns_configs {
    domain_name = "avi.example.com"
  }

  sites {
    name         = "leader"
    cluster_uuid = "cluster-emulated"
    member_type  = "GSLB_ACTIVE_MEMBER"
    username     = "admin"
    password     = var.site_password
    ip_addresses {
      addr = "127.0.0.1"
      type = "V4"
    }
    dns_vses {
      dns_vs_uuid  = avi_virtualservice.dns.uuid
      domain_names = ["avi.example.com"]
    }
  }
  sites {
    name         = "east"
    cluster_uuid = "cluster-0b1d8f52-east"
    member_type  = "GSLB_ACTIVE_MEMBER"
    username     = "admin"
    password     = var.site_password
    ip_addresses {
      addr = "10.10.1.10"
      type = "V4"
    }
  }
  sites {
    name         = "west"
    cluster_uuid = "cluster-7c2e94a0-west"
    member_type  = "GSLB_ACTIVE_MEMBER"
    username     = "admin"
    password     = var.site_password
    ip_addresses {
      addr = "10.20.1.10"
      type = "V4"
    }
  }
}
