"""The cluster memo (``modules/k8s/config_memo.py``): loading unchanged manifests again gives
back what the translation gives — resources, dependencies, input digests and warnings — and
any changed input, another key or installation, a forged entry or a load that is not from
files only is a miss. The TLS keys the manifests carry are never in the entry in clear."""

from __future__ import annotations

import copy
import json
import marshal
import os
import threading
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from albform.engine.addrs import ResourceAddress
from albform.engine.config import Configuration, ResourceConfig
from albform.engine.diagnostics import Diagnostic, Diagnostics, SourceRange
from albform.modules.k8s import config_memo, load
from albform.modules.k8s.config_memo import MEMO_DIR
from albform.modules.k8s.load import ClusterInputs, load_cluster_configuration
from albform.modules.k8s.testing import synthetic_cluster
from albform.provider.emulator.certs import self_signed

AKO = """apiVersion: v1
kind: ConfigMap
metadata: {name: avi-k8s-config, namespace: avi-system}
data:
  clusterName: memo
  nodeNetworkList: '[{"networkName":"nodes","cidrs":["172.16.0.0/16"]}]'
  shardVSSize: SMALL
  vipNetworkList: '[{"networkName":"vip","cidr":"10.250.0.0/16"}]'
"""
FACTS = "cloudType: CLOUD_NONE\nlicenseTier: ENTERPRISE\ndnsSubdomains: []\nvrfName: global\n"
PAIR = self_signed("memo.example")


def _cluster() -> list[dict[str, Any]]:
    """A small synthetic cluster whose Secrets carry a real key, plus an Ingress whose TLS
    Secret is missing (a warning)."""
    tls = {"tls.crt": PAIR.cert_pem.decode(), "tls.key": PAIR.key_pem.decode()}
    objects = [{**o, "stringData": tls} if o["kind"] == "Secret" else o
               for o in synthetic_cluster(3, 20, 10)]
    secure = next(o for o in objects if o["kind"] == "Ingress" and o["spec"].get("tls"))
    broken = copy.deepcopy(secure)
    broken["metadata"]["name"] += "-broken"
    broken["spec"]["tls"][0]["secretName"] = "no-such-secret"
    broken["spec"]["tls"][0]["hosts"] = ["broken.example"]
    broken["spec"]["rules"][0]["host"] = "broken.example"
    return [*objects, broken]


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "k8s").mkdir()
    (tmp_path / "k8s" / "cluster.json").write_text(json.dumps(
        {"apiVersion": "v1", "kind": "List", "items": _cluster()}))
    (tmp_path / "ako.yaml").write_text(AKO)
    (tmp_path / "facts.yaml").write_text(FACTS)
    return {"manifests": tmp_path / "k8s", "ako": tmp_path / "ako.yaml",
            "facts": tmp_path / "facts.yaml", "workdir": tmp_path}


class Loads:
    """Loads through the memo, counting the translations (a hit translates nothing)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.translations = 0
        translate = load.translate

        def counted(*args: Any) -> Any:
            self.translations += 1
            return translate(*args)
        monkeypatch.setattr(load, "translate", counted)

    def __call__(self, files: dict[str, Path], env: dict[str, str], **changed: Any,
                 ) -> tuple[Configuration, Diagnostics]:
        given: dict[str, Any] = {"manifests": (files["manifests"],),
                                 "ako_config": files["ako"],
                                 "controller_facts": files["facts"], **changed}
        return load_cluster_configuration(ClusterInputs(**given), memo_dir=files["workdir"],
                                          env=env)


@pytest.fixture
def loads(monkeypatch: pytest.MonkeyPatch) -> Loads:
    return Loads(monkeypatch)


def _same(a: tuple[Configuration, Diagnostics], b: tuple[Configuration, Diagnostics]) -> None:
    assert a[0] == b[0]
    assert [type(r.attributes) for r in a[0].resources] == \
        [type(r.attributes) for r in b[0].resources]
    assert list(a[1]) == list(b[1])


def test_an_unchanged_reload_comes_from_the_memo_and_equals_the_translation(
        files: dict[str, Path], env: dict[str, str], loads: Loads) -> None:
    first = loads(files, env)
    assert "TLS host not translated" in [d.summary for d in first[1]]
    assert any(r.type == "avi_sslkeyandcertificate" for r in first[0].resources)
    again = loads(files, env)
    assert loads.translations == 1
    _same(first, again)
    # One address object per address, as the translation shares them.
    config = again[0]
    by_address = {r.address: r.address for r in config.resources}
    assert all(by_address[d] is d for r in config.resources for d in r.depends_on)


def test_the_tls_keys_are_not_in_the_entry_in_clear(files: dict[str, Path],
                                                    env: dict[str, str], loads: Loads) -> None:
    loads(files, env)
    (entry,) = (files["workdir"] / MEMO_DIR).iterdir()
    data = entry.read_bytes()
    key_body = PAIR.key_pem.decode().splitlines()[1].encode()
    assert key_body not in data
    assert b"avi_sslkeyandcertificate" not in data  # nothing of the payload readable


@pytest.mark.parametrize("change", ["manifest", "new manifest", "ako", "facts", "link"])
def test_each_changed_input_misses(change: str, files: dict[str, Path], env: dict[str, str],
                                   loads: Loads, tmp_path: Path) -> None:
    loads(files, env)
    if change == "manifest":
        path = files["manifests"] / "cluster.json"
        path.write_text(path.read_text().replace('"svc-1"', '"svc-one"'))
    elif change == "new manifest":
        (files["manifests"] / "more.yaml").write_text(
            "apiVersion: v1\nkind: Node\nmetadata: {name: extra}\n")
    elif change == "ako":
        files["ako"].write_text(AKO.replace("SMALL", "MEDIUM"))
    elif change == "facts":
        files["facts"].write_text(FACTS.replace("global", "other"))
    else:  # the manifest folder becomes a link to a copy with the same bytes
        moved = tmp_path / "moved"
        files["manifests"].rename(moved)
        os.symlink(moved, files["manifests"])
    fresh = loads(files, env)
    assert loads.translations == 2
    loads.translations = 0
    _same(fresh, loads(files, env))  # the new entry stands for the inputs as they are
    assert loads.translations == 0


def test_another_installation_yaml_or_key_misses(files: dict[str, Path], env: dict[str, str],
                                                 loads: Loads, monkeypatch: pytest.MonkeyPatch,
                                                 tmp_path: Path) -> None:
    loads(files, env)
    loads(files, {"XDG_CACHE_HOME": str(tmp_path / "another-user")})
    assert loads.translations == 2
    monkeypatch.setattr(config_memo, "installation_fingerprint", lambda: "upgraded")
    loads(files, env)
    assert loads.translations == 3
    monkeypatch.setattr(config_memo, "_yaml", lambda: "another PyYAML")
    loads(files, env)
    assert loads.translations == 4
    assert len(list((files["workdir"] / MEMO_DIR).iterdir())) == 1  # written over


def test_a_changed_or_planted_entry_is_ignored(files: dict[str, Path], env: dict[str, str],
                                               loads: Loads) -> None:
    first = loads(files, env)
    (entry,) = (files["workdir"] / MEMO_DIR).iterdir()
    data = entry.read_bytes()
    mac, _, payload = data.partition(b"\n")
    entry.write_bytes(mac + b"\n" + payload[:-1] + bytes([payload[-1] ^ 1]))
    _same(first, loads(files, env))
    assert loads.translations == 2
    entry.write_bytes(b"0" * 64 + b"\n" + payload)
    loads(files, env)
    assert loads.translations == 3


def test_loads_not_from_files_alone_are_not_kept(files: dict[str, Path], env: dict[str, str],
                                                 loads: Loads) -> None:
    loads(files, env, controller_facts={"cloudType": "CLOUD_NONE"})
    loads(files, env, controller_facts=None)
    loads(files, env, ako_config=None, ako_settings={"clusterName": "memo"})
    assert not (files["workdir"] / MEMO_DIR).exists()


def test_a_load_with_errors_is_not_kept(files: dict[str, Path], env: dict[str, str],
                                        loads: Loads) -> None:
    (files["manifests"] / "broken.yaml").write_text("kind: [\n")
    config, diags = loads(files, env)
    assert diags.has_errors() and not config.resources
    assert not (files["workdir"] / MEMO_DIR).exists()



def test_a_pipe_is_never_asked_nor_kept(files: dict[str, Path], env: dict[str, str],
                                        loads: Loads) -> None:
    """``--manifests <(kubectl ...)``, ``--controller-facts /dev/stdin``: a pipe reads once;
    each run reads it whole and translates what it holds (a memo's check would drain it)."""
    text = (files["manifests"] / "cluster.json").read_bytes()

    def through_a_pipe(**changed: Any) -> tuple[Configuration, Diagnostics]:
        read_end, write_end = os.pipe()
        writer = threading.Thread(target=lambda: (os.write(write_end, text),
                                                  os.close(write_end)))
        writer.start()
        try:
            return loads(files, env, manifests=(Path(f"/dev/fd/{read_end}"),), **changed)
        finally:
            writer.join()
            os.close(read_end)

    fresh = loads(files, env)
    for _ in range(3):
        config, diags = through_a_pipe()
        assert len(config.resources) == len(fresh[0].resources) and not diags.has_errors()
    assert len(list((files["workdir"] / MEMO_DIR).iterdir())) == 1  # only the files' entry
    assert loads.translations == 4

    facts = files["facts"].read_bytes()
    for _ in range(2):
        read_end, write_end = os.pipe()
        os.write(write_end, facts)
        os.close(write_end)
        try:
            config, _ = loads(files, env, controller_facts=Path(f"/dev/fd/{read_end}"))
        finally:
            os.close(read_end)
        assert [r.attributes for r in config.resources] == \
            [r.attributes for r in fresh[0].resources]
    assert loads.translations == 6


def test_a_missing_manifest_folder_gives_its_error(files: dict[str, Path],
                                                  env: dict[str, str], loads: Loads) -> None:
    """An empty folder and no folder list the same files; only one of them is an error."""
    empty = files["workdir"] / "empty"
    empty.mkdir()
    both = (files["manifests"], empty)
    loads(files, env, manifests=both)
    empty.rmdir()
    config, diags = loads(files, env, manifests=both)
    assert [d.summary for d in diags.errors()] == ["Manifest not found"]
    assert not config.resources


def test_files_edited_while_translated_are_not_kept(files: dict[str, Path],
                                                    env: dict[str, str], loads: Loads,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """A manifest saved while the translation runs: what was translated is not what the
    file holds after, so nothing may be kept for the file's new digest."""
    manifest = files["manifests"] / "cluster.json"
    translate = load.translate

    def saved_meanwhile(*args: Any) -> Any:
        out = translate(*args)
        manifest.write_text(manifest.read_text().replace('"svc-1"', '"svc-one"'))
        return out

    monkeypatch.setattr(load, "translate", saved_meanwhile)
    loads(files, env)
    assert not (files["workdir"] / MEMO_DIR).exists()
    monkeypatch.setattr(load, "translate", translate)
    fresh = load_cluster_configuration(ClusterInputs(
        manifests=(files["manifests"],), ako_config=files["ako"],
        controller_facts=files["facts"]))
    _same(fresh, loads(files, env))


# -- the marshalled form, as a codec -----------------------------------------------------------

_SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text()
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=3)
                       | st.dictionaries(st.text(max_size=5), inner, max_size=3), max_leaves=12)
_ADDRESSES = st.builds(ResourceAddress, st.sampled_from(["avi_pool", "avi_vsvip"]),
                       st.text(min_size=1, max_size=8))


@st.composite
def _configurations(draw: st.DrawFn) -> tuple[Configuration, Diagnostics]:
    addresses = draw(st.lists(_ADDRESSES, min_size=1, max_size=6, unique=True))
    resources = tuple(
        ResourceConfig(a, draw(st.dictionaries(st.text(max_size=6), _VALUES, max_size=4)),
                       tuple(draw(st.lists(st.sampled_from(addresses), max_size=3))),
                       replace_remedy=draw(st.none() | st.text(max_size=10)))
        for a in addresses)
    warnings = Diagnostics(
        Diagnostic.warning(draw(st.text(max_size=10)), draw(st.text(max_size=10)),
                           subject=draw(st.none() | st.builds(SourceRange, st.text(max_size=6),
                                                              st.integers(1, 99))),
                           address=draw(st.none() | st.sampled_from(addresses)))
        for _ in range(draw(st.integers(0, 3))))
    return Configuration(resources=resources, inputs={"/m.yaml": "0" * 64}), warnings


@given(_configurations())
def test_the_marshalled_form_gives_back_the_same_configuration(
        made: tuple[Configuration, Diagnostics]) -> None:
    config, warnings = made
    flat = marshal.loads(marshal.dumps(config_memo._flatten(config, warnings)))
    again, diags = config_memo._rebuild(flat, dict(config.inputs))
    assert again == config
    assert list(diags) == list(warnings)
    assert _types(again) == _types(config)  # True stays True, 1.0 stays 1.0, lists lists


def _types(config: Configuration) -> list[Any]:
    def walk(value: Any) -> Any:
        if isinstance(value, dict):
            return {k: walk(v) for k, v in value.items()}
        if isinstance(value, list):
            return [walk(v) for v in value]
        return type(value).__name__
    return [walk(dict(r.attributes)) for r in config.resources]


def test_what_marshal_cannot_keep_exactly_is_not_kept() -> None:
    class Name(str):
        pass

    config = Configuration(resources=(ResourceConfig(ResourceAddress("avi_pool", "p"),
                                                     {"name": Name("p")}),))
    with pytest.raises(ValueError):
        marshal.dumps(config_memo._flatten(config, Diagnostics()))
