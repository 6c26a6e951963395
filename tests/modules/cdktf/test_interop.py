"""The Avi constructs on the real cdktf runtime (jsii + node): few tests, each starts a
Node.js process. The same app built with the pure-Python constructs must synthesize the
same bytes."""

from __future__ import annotations

import importlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[3]
EXAMPLE = REPO / "examples" / "cdktf-lb-demo" / "main.py"


def _interop() -> ModuleType:
    if shutil.which("node") is None:
        pytest.skip("node is not on PATH: the cdktf runtime (jsii) needs it")
    try:
        importlib.import_module("cdktf")
    except ImportError:
        pytest.skip("cdktf is not installed (pip install 'albform[cdktf]')")
    return importlib.import_module("albform.modules.cdktf.interop")


def _synth(lib: ModuleType, outdir: Path) -> dict[str, object]:
    from albform.modules.cdktf import Lifecycle

    app = lib.App(outdir=str(outdir))
    stack = lib.Stack(app, "avi-prod")
    lib.LocalBackend(stack, path="terraform.tfstate")
    west = lib.AviProvider(stack, "west", alias="west", avi_controller="10.0.0.1",
                           avi_tenant="admin", version="~> 30.2")
    cloud = lib.DataAviCloud(stack, "cloud", name="Default-Cloud", provider=west)
    pool = lib.AviPool(stack, "web_pool", name="web", cloud_ref=cloud.id, provider=west,
                       servers=[{"ip": [{"addr": "10.0.0.1", "type": "V4"}], "port": "80"}],
                       lifecycle=Lifecycle(ignore_changes=["servers"]))
    lib.AviVirtualservice(stack, "vs", name=f"vs-{pool.uuid}", pool_ref=pool.id,
                          description=pool.name, depends_on=[pool], provider=west)
    # for_each given the same way in both styles (interop turns it into cdktf iterators).
    lib.AviPool(stack, "by_map", name="${each.key}", for_each={"a": "1"}, provider=west)
    lib.AviPool(stack, "by_list", name="${each.key}", for_each=["x", "y"], provider=west)
    lib.AviPool(stack, "by_expr", name="${each.key}", for_each="${var.names}", provider=west)
    lib.Output(stack, "pool_uuid", value=pool.uuid)
    app.synth()
    path = outdir / "stacks" / "avi-prod" / "cdk.tf.json"
    return {"bytes": path.read_bytes(), "doc": json.loads(path.read_text())}


def test_interop_classes_synthesize_what_the_pure_constructs_do(tmp_path: Path) -> None:
    interop = _interop()
    pure = importlib.import_module("albform.modules.cdktf")
    real = _synth(interop, tmp_path / "real")
    ours = _synth(pure, tmp_path / "ours")
    doc = real["doc"]
    assert isinstance(doc, dict)
    # The alias works (a subclass overriding `alias`, docs/terraform-compat.md §7).
    assert doc["resource"]["avi_pool"]["web_pool"]["provider"] == "avi.west"
    assert doc["resource"]["avi_virtualservice"]["vs"]["name"] == "vs-${avi_pool.web_pool.uuid}"
    assert doc["data"]["avi_cloud"]["cloud"]["name"] == "Default-Cloud"
    assert doc["resource"]["avi_virtualservice"]["vs"]["description"] == \
        "${avi_pool.web_pool.name}"
    assert doc["resource"]["avi_pool"]["by_list"]["for_each"] == '${toset(["x", "y"])}'
    assert doc["resource"]["avi_pool"]["by_map"]["for_each"] == {"a": "1"}
    assert real["bytes"] == ours["bytes"]

    with pytest.raises(TypeError, match="Did you mean 'name'"):
        interop.AviPool(interop.Stack(interop.App(outdir=str(tmp_path / "x")), "s"), "p",
                        nmae="x")
    with pytest.raises(AttributeError):
        _ = interop.AviNoSuchThing


def test_each_style_refuses_the_other_styles_scope_naming_the_module(tmp_path: Path) -> None:
    interop = _interop()
    pure = importlib.import_module("albform.modules.cdktf")
    real_stack = interop.Stack(interop.App(outdir=str(tmp_path / "real")), "s")
    pure_stack = pure.Stack(pure.App(outdir=str(tmp_path / "pure")), "s")
    with pytest.raises(TypeError, match=r"import AviPool from albform\.modules\.cdktf\.interop"):
        pure.AviPool(real_stack, "web", name="web")
    with pytest.raises(TypeError, match=r"import LocalBackend from albform\.modules\.cdktf\.int"):
        pure.LocalBackend(real_stack)
    for make in (lambda: interop.AviPool(pure_stack, "web", name="web"),
                 lambda: interop.AviProvider(pure_stack, "avi"),
                 lambda: interop.AkoCluster(pure_stack, "k", kubeconfig="kubeconfig")):
        with pytest.raises(TypeError, match=r"import \w+ from albform\.modules\.cdktf "):
            make()


def test_example_app_same_bytes_both_ways_and_albform_reads_it(tmp_path: Path) -> None:
    _interop()
    env = {**os.environ, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION": "20"}
    for flag, out in (([], "ours"), (["--cdktf"], "real")):
        proc = subprocess.run([sys.executable, str(EXAMPLE), "--outdir", str(tmp_path / out),
                               *flag], capture_output=True, text=True, env=env, timeout=120)
        assert proc.returncode == 0, proc.stderr
    rel = Path("stacks/lb-demo/cdk.tf.json")
    for name in ("cdk.tf.json", "modules/ako-kubeadm/main.tf.json",
                 "modules/ako-kubeadm/objects.json"):
        written = [(tmp_path / out / rel.parent / name).read_bytes() for out in ("ours", "real")]
        assert written[0] == written[1], name
    assert ((tmp_path / "ours" / "manifest.json").read_bytes()
            == (tmp_path / "real" / "manifest.json").read_bytes())

    from albform.modules.hcl.load import load_configuration

    config, diags = load_configuration(tmp_path / "real" / rel.parent)
    assert not diags.has_errors(), [str(d) for d in diags]
    addresses = {str(r.address) for r in config.resources}
    assert {"avi_network.vlan2900", "avi_ipamdnsproviderprofile.ipam", "avi_cloud.default",
            "avi_serviceenginegroup.default"} <= addresses
    assert any(a.startswith("module.kubeadm.avi_virtualservice.ako[") for a in addresses)
    assert {str(i.to_address) for i in config.imports} == {"avi_cloud.default",
                                                    "avi_serviceenginegroup.default"}


def test_amko_gslb_synthesizes_the_same_module_both_ways(tmp_path: Path) -> None:
    interop = _interop()
    pure = importlib.import_module("albform.modules.cdktf")
    demo = REPO / "examples" / "gslb-demo"
    for lib, out in ((interop, "real"), (pure, "ours")):
        app = lib.App(outdir=str(tmp_path / out))
        stack = lib.Stack(app, "gslb")
        lib.AmkoGslb(stack, "gslb", members={"east": demo / "east", "west": demo / "west"},
                     amko=[demo / "amko" / "gslbconfig.yaml", demo / "amko" / "gdp.yaml"])
        app.synth()
    stack_dirs = [tmp_path / out / "stacks" / "gslb" for out in ("real", "ours")]
    docs = [json.loads((d / "cdk.tf.json").read_text()) for d in stack_dirs]
    assert docs[0]["module"] == docs[1]["module"]
    assert docs[1]["module"]["gslb"]["source"] == "./modules/amko-gslb"
    for name in ("main.tf.json", "objects.json"):
        real, ours = (d / "modules" / "amko-gslb" / name for d in stack_dirs)
        assert real.read_bytes() == ours.read_bytes(), name
    objects = json.loads((stack_dirs[1] / "modules" / "amko-gslb" / "objects.json").read_text())
    assert objects["resources"]["avi_gslbservice"]


def test_the_generated_stub_declares_each_class_interop_makes_with_its_signature() -> None:
    """``interop_classes.pyi`` (what IDEs and mypy see) names every class ``interop`` makes,
    with the same base and the parameters of that base's ``__init__``."""
    import ast
    import inspect

    from albform.modules.cdktf import DATA_SOURCES, RESOURCES

    interop = _interop()
    stub = ast.parse((REPO / "modules" / "cdktf" / "interop_classes.pyi").read_text())
    declared = {node.name: node for node in stub.body if isinstance(node, ast.ClassDef)}
    assert set(declared) == {c.__name__ for c in (*RESOURCES.values(),
                                                  *DATA_SOURCES.values())}
    for name, node in declared.items():
        made = getattr(interop, name)
        (base,) = made.__bases__
        assert [b.id for b in node.bases if isinstance(b, ast.Name)] == [base.__name__]
        init = next(n for n in node.body if isinstance(n, ast.FunctionDef))
        args = init.args
        stub_params = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
        stub_params.append(f"**{args.kwarg.arg}" if args.kwarg else "")
        runtime = [p.name if p.kind is not p.VAR_KEYWORD else f"**{p.name}"
                   for p in inspect.signature(base.__init__).parameters.values()]
        assert stub_params == runtime, name
        assert args.kwarg is not None and isinstance(args.kwarg.annotation, ast.Subscript)
        assert ast.unparse(args.kwarg.annotation) == f"Unpack[{name}Args]"
