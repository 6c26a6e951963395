"""Look-ups by name that read no more of a body than they need: ``Store.by_name`` with
``fields`` (the bodies cut by SQLite, or not read at all) and ``Controller.find``, which a
create asks for its default references (Default-Cloud, the ``global`` VRF) and name checks."""

from __future__ import annotations

from albform.provider.emulator import builtins
from albform.provider.emulator.context import RequestContext
from albform.provider.emulator.errors import ApiError
from albform.provider.emulator.objects import Controller
from albform.provider.emulator.store import Store, StoredObject

CTX = RequestContext("http://127.0.0.1:9")


def _controller() -> Controller:
    controller = Controller(Store(None))
    builtins.seed(controller)
    return controller


def _where(o: StoredObject) -> tuple[str, str, str, str | None, str | None, bool]:
    return o.type, o.uuid, o.tenant, o.name, o.cloud, o.system


def test_by_name_cuts_or_skips_the_bodies_and_keeps_everything_else() -> None:
    controller = _controller()
    first = controller.create(CTX, "pool", {"name": "twin", "description": "a"})
    other_tenant = controller.create(CTX, "tenant", {"name": "t2"})
    second = controller.create(RequestContext(CTX.base, other_tenant.uuid), "pool",
                               {"name": "twin"})
    whole = controller.store.by_name("pool", "twin")
    assert [o.uuid for o in whole] == [first.uuid, second.uuid]  # oldest first
    bare = controller.store.by_name("pool", "twin", fields=())
    assert [_where(o) for o in bare] == [_where(o) for o in whole]
    assert [o.body for o in bare] == [{}, {}]
    cut = controller.store.by_name("pool", "twin", fields=("description", "name", "absent"))
    assert [o.body for o in cut] == [{"description": "a", "name": "twin"}, {"name": "twin"}]
    assert controller.store.by_name("pool", "nobody", fields=()) == []


def test_find_gives_where_an_object_is_and_creates_still_fill_their_defaults() -> None:
    controller = _controller()
    cloud = controller.find(CTX, "cloud", "Default-Cloud")
    vrf = controller.find(CTX, "vrfcontext", "global", cloud=cloud.uuid if cloud else None)
    assert cloud is not None and vrf is not None and cloud.body == {} == vrf.body
    assert _where(cloud) == _where(controller.store.get(cloud.uuid))  # type: ignore[arg-type]
    pool = controller.create(CTX, "pool", {"name": "p"})
    assert pool.body["cloud_ref"].endswith(cloud.uuid)
    assert pool.body["vrf_ref"].endswith(vrf.uuid)
    try:
        controller.create(CTX, "pool", {"name": "p"})
    except ApiError as exc:
        assert exc.status == 409  # the name check reads no body either
    else:
        raise AssertionError("a second pool named p was created")
