"""The JSON shapes of the Kubernetes fields the translator reads, checked on manifests from files.

``shape_errors(data) -> list[(path, message)]`` for one object. The API server rejects a
Service whose ``spec.ports`` is a string or whose ``port`` is ``"80"``; manifests read from disk
never met an API server, so the same checks happen here, before translation, and a mistake is a
file:line error instead of a crash deep in the translator. Only the fields the translator uses
are described (everything else is passed through unchecked); ``null`` counts as absent, as it
does for the API server, except as a list item.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

# A shape is a scalar name ("str", "int", "bool", "int-or-str"; "int!": required), ("list", shape),
# ("map", shape) for string-keyed maps, or a dict of known field shapes (other fields allowed).
Shape = Any

_STR_MAP = ("map", "str")
_LABEL = r"[a-z0-9]([-a-z0-9]*[a-z0-9])?"
_DNS_NAME = re.compile(rf"(?=.{{1,253}}$){_LABEL}(\.{_LABEL})*")
# Object names end up in Avi object names and ?name= lookups: the API server's own rule
# (a DNS-1123 subdomain) keeps "../x" or "a&b" out.
_METADATA = {"name": "dns-name", "namespace": "dns-name", "labels": _STR_MAP,
             "annotations": _STR_MAP}
_SERVICE_PORT = {"name": "str", "port": "port!", "targetPort": "int-or-str", "nodePort": "port",
                 "protocol": "str"}
_SLICE_PORT = {"name": "str", "port": "int", "protocol": "str"}
_ENDPOINT = {"addresses": ("list", "str"), "nodeName": "str",
             "conditions": {"ready": "bool", "serving": "bool", "terminating": "bool"},
             "targetRef": {"kind": "str", "name": "str", "namespace": "str"}}
_BACKEND = {"service": {"name": "str", "port": {"number": "int", "name": "str"}}}
_PATH = {"path": "str", "pathType": "str", "backend": _BACKEND}
_RULE = {"host": "str", "http": {"paths": ("list", _PATH)}}
_ROUTE_TARGET = {"kind": "str", "name": "str", "weight": "int"}

KIND_SHAPES: Mapping[str, Mapping[str, Shape]] = {
    "Service": {"spec": {
        "type": "str", "ports": ("list", _SERVICE_PORT), "selector": _STR_MAP,
        "loadBalancerIP": "str", "loadBalancerClass": "str", "externalTrafficPolicy": "str",
        "ipFamilies": ("list", "str")}},
    "EndpointSlice": {"addressType": "str", "ports": ("list", _SLICE_PORT),
                      "endpoints": ("list", _ENDPOINT)},
    "Node": {"spec": {"podCIDR": "str", "podCIDRs": ("list", "str")},
             "status": {"addresses": ("list", {"type": "str", "address": "str"})}},
    "Pod": {"spec": {"nodeName": "str",
                     "containers": ("list", {"ports": ("list", {"name": "str",
                                                                "containerPort": "int"})})},
            "status": {"podIP": "str",
                       "conditions": ("list", {"type": "str", "status": "str"})}},
    "Ingress": {"spec": {"ingressClassName": "str",
                         "tls": ("list", {"hosts": ("list", "str"), "secretName": "str"}),
                         "rules": ("list", _RULE), "defaultBackend": _BACKEND}},
    "IngressClass": {"spec": {"controller": "str"}},
    "Route": {"spec": {"host": "str", "subdomain": "str", "path": "str", "to": _ROUTE_TARGET,
                       "alternateBackends": ("list", _ROUTE_TARGET),
                       "port": {"targetPort": "int-or-str"}, "wildcardPolicy": "str",
                       "tls": {"termination": "str", "certificate": "str", "key": "str",
                               "caCertificate": "str", "destinationCACertificate": "str",
                               "insecureEdgeTerminationPolicy": "str"}}},
    "Secret": {"type": "str", "data": _STR_MAP, "stringData": _STR_MAP},
}

# The kinds of the built-in API groups manifests for AKO use, so that a misspelt kind
# ("Servicee") is reported instead of silently ignored like a kind the translator doesn't need.
BUILTIN_KINDS: Mapping[str, frozenset[str]] = {
    "v1": frozenset({"Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event",
                     "LimitRange", "Namespace", "Node", "PersistentVolume",
                     "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController",
                     "ResourceQuota", "Secret", "Service", "ServiceAccount"}),
    "apps/v1": frozenset({"ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet",
                          "StatefulSet"}),
    "networking.k8s.io/v1": frozenset({"Ingress", "IngressClass", "NetworkPolicy",
                                       "IPAddress", "ServiceCIDR"}),
    "discovery.k8s.io/v1": frozenset({"EndpointSlice"}),
    "route.openshift.io/v1": frozenset({"Route"}),
}


def unknown_builtin_kind(data: Mapping[str, Any]) -> str | None:
    """A message when ``apiVersion`` is a built-in group version without this ``kind``."""
    api, kind = data.get("apiVersion"), data.get("kind")
    known = BUILTIN_KINDS.get(api) if isinstance(api, str) else None
    if known is None or not isinstance(kind, str) or kind in known:
        return None
    return f"{api} has no kind {kind!r}; the object is ignored."


_NAMES = {"str": "a string", "int": "an integer", "bool": "true or false",
          "port": "an integer from 1 to 65535",
          "dns-name": "a DNS-1123 name (lower-case letters, digits, '-' and '.', at most 253)",
          "int-or-str": "an integer or a string", "list": "a list", "map": "a mapping",
          "object": "a mapping"}


def shape_errors(data: Mapping[str, Any], limit: int = 5) -> list[tuple[tuple[str | int, ...],
                                                                       str]]:
    """Where ``data`` (one object) differs from its kind's shape, with a message each."""
    if conforms(data):  # nearly every object: no paths or messages to build
        return []
    return _all_errors(data)[:limit]


def _all_errors(data: Mapping[str, Any]) -> list[tuple[tuple[str | int, ...], str]]:
    errors: list[tuple[tuple[str | int, ...], str]] = []
    _check(data.get("metadata"), _METADATA, ("metadata",), errors)
    shape = KIND_SHAPES.get(str(data.get("kind") or ""))
    if shape is not None:
        for key, field_shape in shape.items():
            _check(data.get(key), field_shape, (key,), errors)
    return errors


def _check(value: Any, shape: Shape, path: tuple[str | int, ...],
           errors: list[tuple[tuple[str | int, ...], str]]) -> None:
    if value is None:
        return
    if isinstance(shape, str):
        if not _scalar_ok(value, shape):
            errors.append((path, _message(path, shape, value)))
        return
    if isinstance(shape, tuple):
        container, inner = shape
        if container == "list":
            if not isinstance(value, list):
                errors.append((path, _message(path, "list", value)))
                return
            for i, item in enumerate(value):
                if item is None:  # a null list item is no object at all (absent is fine)
                    errors.append(((*path, i), _message((*path, i), _expected(inner), item)))
                    continue
                _check(item, inner, (*path, i), errors)
        else:
            if not isinstance(value, dict):
                errors.append((path, _message(path, "map", value)))
                return
            for key, item in value.items():
                _check(item, inner, (*path, str(key)), errors)
        return
    if not isinstance(value, dict):
        errors.append((path, _message(path, "object", value)))
        return
    for key, field_shape in shape.items():
        if value.get(key) is None and isinstance(field_shape, str) and field_shape[-1] == "!":
            errors.append(((*path, key), f'"{_dotted((*path, key))}" is required.'))
            continue
        _check(value.get(key), field_shape, (*path, key), errors)


def _expected(shape: Shape) -> str:
    if isinstance(shape, str):
        return shape
    return shape[0] if isinstance(shape, tuple) else "object"


def _scalar_ok(value: Any, kind: str) -> bool:
    return _SCALAR_OK.get(kind.rstrip("!"), _int_or_str)(value)


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _int_or_str(value: Any) -> bool:
    return _is_int(value) or isinstance(value, str)


_SCALAR_OK: Mapping[str, Callable[[Any], bool]] = {
    "str": lambda value: isinstance(value, str),
    "int": _is_int,
    "port": lambda value: _is_int(value) and 1 <= value <= 65535,
    "dns-name": lambda value: isinstance(value, str) and _DNS_NAME.fullmatch(value) is not None,
    "bool": lambda value: isinstance(value, bool),
}


# -- the same checks compiled to yes/no, for the common case ------------------------------------
# ``conforms(data)`` is true exactly when ``shape_errors`` finds nothing (property test in
# tests/modules/k8s/test_shapes.py): each shape becomes a predicate once, and an object that
# conforms costs no path tuples and no messages. Only a failing object is walked by ``_check``.

def conforms(data: Mapping[str, Any]) -> bool:
    """Whether ``data`` (one object) has no shape errors."""
    meta = data.get("metadata")
    if meta is not None and not _METADATA_OK(meta):
        return False
    for key, ok in _KIND_OK.get(str(data.get("kind") or ""), ()):
        value = data.get(key)
        if value is not None and not ok(value):
            return False
    return True


def _predicate(shape: Shape) -> Callable[[Any], bool]:
    """Whether a value that is not None has ``shape`` (``_check`` finds no error)."""
    if isinstance(shape, str):
        return _SCALAR_OK.get(shape.rstrip("!"), _int_or_str)
    if isinstance(shape, tuple):
        container, inner = shape
        inner_ok = _predicate(inner)
        if container == "list":
            return lambda value: isinstance(value, list) and all(
                item is not None and inner_ok(item) for item in value)
        return lambda value: isinstance(value, dict) and all(
            item is None or inner_ok(item) for item in value.values())
    fields = [(key, isinstance(inner, str) and inner[-1] == "!", _predicate(inner))
              for key, inner in shape.items()]

    def object_ok(value: Any) -> bool:
        if not isinstance(value, dict):
            return False
        for key, required, ok in fields:
            item = value.get(key)
            if item is None:
                if required:
                    return False
            elif not ok(item):
                return False
        return True

    return object_ok


_METADATA_OK = _predicate(_METADATA)
_KIND_OK: Mapping[str, list[tuple[str, Callable[[Any], bool]]]] = {
    kind: [(key, _predicate(inner)) for key, inner in shape.items()]
    for kind, shape in KIND_SHAPES.items()}


def _dotted(path: tuple[str | int, ...]) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _message(path: tuple[str | int, ...], expected: str, value: Any) -> str:
    return f'"{_dotted(path)}" must be {_NAMES[expected.rstrip("!")]}, not {_describe(value)}.'


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, str):
        return f"the string {value[:40]!r}"
    if value is None:
        return "null"
    return f"{type(value).__name__} {value!r}"
