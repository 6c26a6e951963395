"""The default schemas of ``FakeProvider``: a handful of small Avi-like object types.

* ``fake_pool`` — ``name`` (required), ``servers`` (list keyed by ``ip``), ``lb_algorithm``
  (server-defaulted), ``health_monitor_refs`` (list of refs to ``fake_healthmonitor``),
  computed ``uuid``;
* ``fake_vs`` — ``name``, ``pool_ref`` (refers to ``fake_pool``), ``type`` (force_new,
  server-defaulted), ``enabled`` (server-defaulted), computed ``uuid`` and ``vip`` (allocated);
* ``fake_healthmonitor`` — ``name``, ``type`` (force_new, required), computed ``uuid``;
* ``fake_cert`` — ``name``, ``certificate``, sensitive ``key``, computed ``uuid``;
* data source ``fake_cloud`` — ``name``, computed ``uuid``, ``vtype``.
"""

from __future__ import annotations

from albform.engine.schema import AttributeSchema, ResourceSchema


def _uuid() -> AttributeSchema:
    return AttributeSchema("uuid", computed=True, description="assigned by the server")


def _name() -> AttributeSchema:
    return AttributeSchema("name", required=True)


def _schema(type_name: str, *attributes: AttributeSchema) -> ResourceSchema:
    return ResourceSchema(type_name, {a.name: a for a in attributes}, id_attribute="uuid")


SERVER_FIELDS = {
    "ip": AttributeSchema("ip", required=True),
    "port": AttributeSchema("port", type="integer", server_default=True, computed=True,
                            default=80),
    "enabled": AttributeSchema("enabled", type="boolean", server_default=True,
                               computed=True, default=True),
}

DEFAULT_SCHEMAS: dict[str, ResourceSchema] = {
    "fake_pool": _schema(
        "fake_pool",
        _name(),
        _uuid(),
        AttributeSchema("servers", type="list", element_type="object", keyed_by=("ip",),
                        fields=SERVER_FIELDS),
        AttributeSchema("lb_algorithm", server_default=True, computed=True,
                        default="LB_ALGORITHM_LEAST_CONNECTIONS",
                        enum=("LB_ALGORITHM_LEAST_CONNECTIONS", "LB_ALGORITHM_ROUND_ROBIN")),
        AttributeSchema("health_monitor_refs", type="list", element_type="string",
                        refers_to="fake_healthmonitor"),
        AttributeSchema("description"),
    ),
    "fake_vs": _schema(
        "fake_vs",
        _name(),
        _uuid(),
        AttributeSchema("pool_ref", refers_to="fake_pool"),
        AttributeSchema("type", force_new=True, server_default=True, computed=True,
                        default="VS_TYPE_NORMAL", enum=("VS_TYPE_NORMAL", "VS_TYPE_VH_PARENT")),
        AttributeSchema("enabled", type="boolean", server_default=True, computed=True,
                        default=True),
        AttributeSchema("port", type="integer"),
        AttributeSchema("vip", computed=True, description="allocated by the server"),
    ),
    "fake_healthmonitor": _schema(
        "fake_healthmonitor",
        _name(),
        _uuid(),
        AttributeSchema("type", required=True, force_new=True),
        AttributeSchema("send_interval", type="integer", server_default=True, computed=True,
                        default=10),
    ),
    "fake_cert": _schema(
        "fake_cert",
        _name(),
        _uuid(),
        AttributeSchema("certificate"),
        AttributeSchema("key", sensitive=True),
    ),
}

DEFAULT_DATA_SCHEMAS: dict[str, ResourceSchema] = {
    "fake_cloud": _schema(
        "fake_cloud",
        _name(),
        _uuid(),
        AttributeSchema("vtype", computed=True),
    ),
}
