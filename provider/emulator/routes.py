"""The ``/api/...`` routes behind authentication: objects, collections, singletons, runtime,
version endpoints, ``useraccount``, and the ``/emulator/faults`` and ``/emulator/gslb/sites``
admin endpoints."""

from __future__ import annotations

import json
import time
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from starlette.requests import ClientDisconnect, Request
from starlette.responses import Response

from albform.provider.emulator import catalog, gslb, listing, render, runtime
from albform.provider.emulator.context import ADMIN_TENANT, RequestContext
from albform.provider.emulator.errors import ApiError, error, not_found
from albform.provider.emulator.faults import FaultConfig

if TYPE_CHECKING:
    from albform.provider.emulator.app import EmulatorState

CONTROLLER_VERSION = "30.2.1"
_URL_SAFE = ":/?#[]@!$&'()*+,;=%-._~"
# The login answer embeds objects in the controller's native format; ours is rendered in the
# format of the recorded 20.1.1 controllers, so SDKs that read it see what they were built for.
LOGIN_FORMAT = "20.1.1"
VERSION_BLOCK = {
    "build": 9046, "Tag": f"{CONTROLLER_VERSION}-emulated", "ProductName": "Avi Cloud Controller",
    "min_version": 15.2, "Version": CONTROLLER_VERSION, "Product": "controller",
    "Date": "2024-01-31T00:00:00+00:00",
}


def _json(body: object, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body), status_code=status, headers=headers,
                    media_type="application/json")


def _flag(params: Any, key: str) -> bool:
    """``include_name`` style booleans: present and empty, or true."""
    if key not in params:
        return False
    return str(params.get(key, "")).lower() in ("", "true", "1", "yes")


async def _body(request: Request, empty: Any = None) -> Any:
    """The JSON body; an empty body is ``empty`` (a PUT without a body re-saves the object
    as it is: recorded for ``PUT /api/systemconfiguration`` with no data). A client gone
    before its body arrived (killed mid-request) is answered 499, which nobody reads: not
    an error of the emulator's, so not a traceback in its log."""
    try:
        raw = await request.body()
    except ClientDisconnect:
        raise error(499, "Client closed the request") from None
    if not raw.strip():
        return {} if empty is None else empty
    try:
        return json.loads(raw)
    except ValueError:
        raise error(400, "Malformed JSON body") from None


class ApiRoutes:
    def __init__(self, state: EmulatorState) -> None:
        self.state = state
        self.controller = state.controller
        self.store = state.controller.store

    # -- small endpoints -------------------------------------------------------------------

    def cluster_status(self) -> dict[str, Any]:
        return {"cluster_state": {"state": "CLUSTER_UP_NO_HA", "progress": 100},
                "node_states": [{"name": "127.0.0.1", "role": "CLUSTER_LEADER",
                                 "state": "CLUSTER_ACTIVE"}]}

    def basic_auth_allowed(self) -> bool:
        sysconf = self.controller.singleton("systemconfiguration")
        portal = sysconf.body.get("portal_configuration") or {}
        return bool(portal.get("allow_basic_authentication"))

    def login_body(self, ctx: RequestContext) -> dict[str, Any]:
        sysconf = self.controller.singleton("systemconfiguration")
        props = self.controller.singleton("controllerproperties")
        native = RequestContext(base=ctx.base, version=LOGIN_FORMAT)
        relative = RequestContext(base="", version=LOGIN_FORMAT)
        return {
            "user_initialized": True,
            "version": VERSION_BLOCK,
            "user": {
                "is_superuser": True, "default_tenant_ref": f"{ctx.base}/api/tenant/admin",
                "name": "admin", "username": "admin", "full_name": "System Administrator",
                "email": "", "local": True, "uuid": "user-1", "ui_property": "{}",
            },
            "tenants": [
                render.render(self.store, native, t, include_name=False, read=True)
                for t in self.store.query("tenant")[1]
            ],
            # Recorded: the login answer's system_config uses relative urls.
            "system_config": render.render(self.store, relative, sysconf, include_name=False,
                                           read=True),
            "controller": {"api_idle_timeout": props.body.get("api_idle_timeout", 15)},
            "session_cookie_name": "avi-sessionid",
        }

    # -- dispatch --------------------------------------------------------------------------

    async def handle(self, request: Request, method: str, path: str,
                     ctx: RequestContext) -> Response:
        if path == "/emulator/faults":
            return await self.faults(request, method)
        if path.startswith("/emulator/gslb/sites/") and method == "PUT":
            return await self.gslb_site(request, path.rsplit("/", 1)[1])
        if not path.startswith("/api/"):
            raise ApiError(404, {"detail": "Not found."})
        parts = path[len("/api/"):].split("/")
        head = parts[0]
        if head == "initial-data" and method == "GET":
            return _json({"current_time": render_time(), "setup_failed": False,
                          "email_configuration_is_set": False, "error_message": "",
                          "user_initial_setup": False, "sso": False, "sso_logged_in": False,
                          "banner": "", "version": VERSION_BLOCK})
        if head == "cluster" and len(parts) == 2 and method == "GET":
            if parts[1] == "version":
                return _json(VERSION_BLOCK)
            if parts[1] == "runtime":
                return _json({"node_states": [{"name": "127.0.0.1", "role": "CLUSTER_LEADER",
                                               "up_since": render_time()}],
                              "cluster_state": {"state": "CLUSTER_UP_NO_HA"}})
        if head == "user-token" and method == "POST":
            body = await _body(request)
            try:
                hours = float(body.get("hours", 24)) if isinstance(body, dict) else 24.0
            except (TypeError, ValueError):
                raise error(400, "hours must be a number") from None
            if not 0 < hours <= 24 * 365:
                raise error(400, "hours must be between 0 and 8760")
            return _json({"token": self.state.issue_token(hours)})
        if head == "useraccount" and method == "PUT":
            return await self.useraccount(request)
        if head == "virtualservice-inventory" and method == "GET":
            return self.vs_inventory(request, ctx, parts[1] if len(parts) > 1 else None)
        if len(parts) >= 3 and parts[2] == "runtime" and method == "GET":
            return self.object_runtime(ctx, parts[0], parts[1], parts[3:])
        if not catalog.is_known_type(head) or len(parts) > 2:
            raise ApiError(404, {"error": f"Unknown API path {path}"})
        if head in catalog.SINGLETONS:
            return await self.singleton(request, method, head, ctx)
        if len(parts) == 1:
            if method in ("GET", "HEAD"):
                return self.collection(request, head, ctx)
            if method == "POST":
                body = await _body(request)
                obj = self.controller.create(ctx, head, body, slug=request.headers.get("slug"))
                out = render.render(self.store, ctx, obj, include_name=True, read=False)
                # A name may hold any character; a header value may not (CR, LF, non-ASCII).
                return _json(out, 201, {"Location": quote(out["url"], safe=_URL_SAFE)})
            raise ApiError(405, {"detail": f"Method '{method}' not allowed."})
        uuid = parts[1]
        if method in ("GET", "HEAD"):
            obj = self.controller.get(ctx, head, uuid, _cut(request))
            return _json(self._present(request, ctx, obj))
        if method == "PUT":
            current = self.controller.get(ctx, head, uuid)
            obj = self.controller.replace(ctx, head, uuid, await _body(request, current.body))
            return _json(render.render(self.store, ctx, obj, include_name=True, read=False))
        if method == "PATCH":
            obj = self.controller.patch(ctx, head, uuid, await _body(request))
            return _json(render.render(self.store, ctx, obj, include_name=True, read=False))
        if method == "DELETE":
            self.controller.delete(ctx, head, uuid)
            return Response(b"", status_code=204)
        raise ApiError(405, {"detail": f"Method '{method}' not allowed."})

    def _present(self, request: Request, ctx: RequestContext, obj: Any,
                 names: render.NameCache | None = None) -> dict[str, Any]:
        params = request.query_params
        fields = _fields(request)
        out = render.render(self.store, ctx, obj, include_name=_flag(params, "include_name"),
                            read=True, skip_default=_flag(params, "skip_default"), fields=fields,
                            names=names)
        if obj.type == "virtualservice" and "runtime" in params.get("join_subresources", ""):
            out["runtime"] = runtime.runtime_summary(self.store, obj, self.state.overrides)
        return out

    def collection(self, request: Request, obj_type: str, ctx: RequestContext) -> Response:
        params = dict(request.query_params)
        query = listing.build_query(params, self.controller.visible_tenants(ctx, obj_type))
        if query.tenants is not None and len(query.tenants) > 1:
            # A tenant's copy of an admin-shared object hides the admin original.
            query.where.append("(tenant <> ? OR name NOT IN (SELECT o2.name FROM objects AS o2"
                               " WHERE o2.type = ? AND o2.tenant = ?))")
            query.params.extend([ADMIN_TENANT, obj_type, ctx.tenant])
        if query.cloud_name is not None:
            cloud = self.controller.find(ctx, "cloud", query.cloud_name)
            query.where.append("cloud = ?")
            query.params.append(cloud.uuid if cloud else "")
        total, page = self.store.query(
            obj_type, tenants=query.tenants, where=query.where, params=query.params,
            limit=query.page_size, offset=(query.page - 1) * query.page_size, order=query.order,
            fields=_cut(request))
        names = render.NameCache(self.store)
        body: dict[str, Any] = {
            "count": total,
            "results": [self._present(request, ctx, o, names) for o in page],
        }
        following = listing.next_url(f"{ctx.base}/api/{obj_type}", params, query, total)
        if following:
            body["next"] = following
        return _json(body)

    async def singleton(self, request: Request, method: str, obj_type: str,
                        ctx: RequestContext) -> Response:
        obj = self.controller.singleton(obj_type)
        if method in ("GET", "HEAD"):
            return _json(self._present(request, ctx, obj))
        if method == "PUT":
            obj = self.controller.replace(ctx, obj_type, obj.uuid, await _body(request, obj.body))
        elif method == "PATCH":
            obj = self.controller.patch(ctx, obj_type, obj.uuid, await _body(request))
        else:
            raise ApiError(405, {"detail": f"Method '{method}' not allowed."})
        if obj_type == "controllerproperties":
            self.apply_controller_properties(obj.body)
        return _json(render.render(self.store, ctx, obj, include_name=True, read=False))

    def apply_controller_properties(self, body: dict[str, Any]) -> None:
        """Session idle timeout (minutes) and request rate limit take effect at once."""
        timeout = body.get("api_idle_timeout")
        if isinstance(timeout, int) and timeout > 0:
            self.state.sessions.idle_timeout = timeout * 60.0
        rate = body.get("portal_request_rate_limit")
        if isinstance(rate, int | float):
            burst = body.get("portal_request_burst_limit")
            self.state.limiter.configure(float(rate),
                                         float(burst) if isinstance(burst, int | float) else 0.0)

    async def useraccount(self, request: Request) -> Response:
        body = await _body(request)
        if not isinstance(body, dict) or not isinstance(body.get("password"), str):
            raise error(400, "password is required")
        old = body.get("old_password")
        if not isinstance(old, str) or not self.state.check_password("admin", old):
            raise error(400, "Old password is incorrect")
        self.state.set_password(body["password"])
        return Response(b"", status_code=200, media_type="application/json")

    def object_runtime(self, ctx: RequestContext, obj_type: str, uuid: str,
                       rest: list[str]) -> Response:
        obj = self.controller.get(ctx, obj_type, uuid)
        if obj_type == "virtualservice":
            return _json(runtime.runtime_summary(self.store, obj, self.state.overrides))
        if obj_type == "gslbservice":
            return _json(gslb.runtime(self.store, obj.uuid, obj.name or "", obj.body))
        if obj_type == "pool":
            servers = obj.body.get("servers") or []
            if rest[:1] == ["server"]:
                return _json([{"ip_addr": s.get("ip"), "port": s.get("port"),
                               "oper_status": {"state": "OPER_UP"}} for s in servers])
            return _json({"uuid": obj.uuid, "name": obj.name, "oper_status": {"state": "OPER_UP"},
                          "num_servers": len(servers), "num_servers_up": len(servers)})
        raise not_found(catalog.model_name(obj_type))

    def vs_inventory(self, request: Request, ctx: RequestContext, uuid: str | None) -> Response:
        tenants = self.controller.visible_tenants(ctx, "virtualservice")
        if uuid is not None:
            objs = [self.controller.get(ctx, "virtualservice", uuid)]
            total = 1
        else:
            params = dict(request.query_params)
            query = listing.build_query(params, tenants)
            total, objs = self.store.query(
                "virtualservice", tenants=query.tenants, where=query.where, params=query.params,
                limit=query.page_size, offset=(query.page - 1) * query.page_size)
        results = []
        for vs in objs:
            config = render.render(self.store, ctx, vs, include_name=_flag(
                request.query_params, "include_name"), read=True)
            results.append({"uuid": vs.uuid, "url": config["url"], "config": config,
                            "runtime": runtime.runtime_summary(self.store, vs,
                                                               self.state.overrides)})
        if uuid is not None:
            return _json(results[0])
        return _json({"count": total, "results": results})

    async def gslb_site(self, request: Request, cluster_uuid: str) -> Response:
        """Hand the leader a remote site's virtual services (see emulator/gslb.py)."""
        body = await _body(request)
        vses = body.get("virtualservices") if isinstance(body, dict) else None
        if not isinstance(vses, list) or not all(isinstance(v, dict) and v.get("uuid")
                                                 for v in vses):
            raise error(400, 'expected {"virtualservices": [{"uuid": ..., "name": ..., '
                             '"oper_state": ...}]}')
        gslb.set_site_inventory(self.store, cluster_uuid, vses)
        return _json({"cluster_uuid": cluster_uuid, "virtualservices": len(vses)})

    async def faults(self, request: Request, method: str) -> Response:
        if method == "PUT":
            config = FaultConfig.from_json(await _body(request))
            self.state.faults.configure(config)
        elif method != "GET":
            raise ApiError(405, {"detail": f"Method '{method}' not allowed."})
        return _json(self.state.faults.config.to_json())


def render_time() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S+00:00", time.gmtime())


def _fields(request: Request) -> list[str] | None:
    """The ``fields=a,b`` projection asked for, or None."""
    return [f for f in request.query_params.get("fields", "").split(",") if f] or None


def _cut(request: Request) -> list[str] | None:
    """The fields a GET (one object or a collection page) may read of each stored body, cut
    by the store, or None to read whole bodies: no projection, a field derived from more
    than the body (``render.needs_whole_body``), or joined sub-resources. A refresh asking
    pages for ``fields=uuid,_last_modified`` then decodes no whole body."""
    fields = _fields(request)
    if render.needs_whole_body(fields) or "join_subresources" in request.query_params:
        return None
    return fields
