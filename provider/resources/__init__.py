"""albform.provider.resources: ``AviProvider``, the engine's ``Provider`` over the Avi REST API.

Build one with ``albform.provider.factory.open_provider(...)`` (connects, or starts the embedded
emulator) or directly: ``AviProvider(AviClient.connect(config), load_table())``. Module map:
``provider`` (wiring), ``registry`` (type names, system defaults), ``schemas`` (diff-safe
schemas), ``refs``/``resolver``/``canonical`` (config side), ``normalize``/``keyed_lists``
(read side), ``crud``, ``bulk``, ``lookup`` (data sources, import), ``parent_edit`` +
``static_routes``/``static_route_merge`` + ``pool_servers`` (partial resources).
"""

from __future__ import annotations

from albform.provider.resources.api import ControllerApi, Tenant
from albform.provider.resources.provider import AviProvider

__all__ = ["AviProvider", "ControllerApi", "Tenant"]
