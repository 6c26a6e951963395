"""The generated classes: current with the schema table, one per avi_* type, usable."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from albform.modules import cdktf
from albform.modules.cdktf import DATA_SOURCES, RESOURCES, App, Stack, Testing
from albform.provider.schema import resource_schema, resource_types

REPO = Path(__file__).resolve().parents[3]


def test_committed_files_match_the_generator() -> None:
    spec = importlib.util.spec_from_file_location("gen", REPO / "tools" /
                                                  "gen_cdktf_resources.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    generated, blocks, interop = gen.render_all()
    package = REPO / "modules" / "cdktf"
    stale = "run tools/gen_cdktf_resources.py and commit the output"
    assert generated == (package / "generated.py").read_text(encoding="utf-8"), stale
    assert blocks == (package / "blocks.py").read_text(encoding="utf-8"), stale
    assert interop == (package / "interop_classes.pyi").read_text(encoding="utf-8"), stale


def test_every_resource_type_has_a_class_with_its_arguments() -> None:
    assert set(RESOURCES) == set(resource_types())
    for type_name, cls in RESOURCES.items():
        schema = resource_schema(type_name)
        assert getattr(cdktf, cls.__name__) is cls
        configurable = {n for n, a in schema.attributes.items()
                        if not (a.computed and not a.server_default and not a.required)}
        assert configurable <= set(cls.ARGUMENTS.__annotations__)
        assert {n for n, a in schema.attributes.items() if a.required} == cls.REQUIRED
    assert "avi_cloud" in DATA_SOURCES


def test_each_class_synthesizes_its_type() -> None:
    stack = Stack(App(), "all")
    for type_name, cls in RESOURCES.items():
        required = {name: "x" for name in cls.REQUIRED}
        cls(stack, type_name, **required)
    doc = Testing.synth(stack)
    assert set(doc["resource"]) == set(RESOURCES)
    assert Testing.to_have_resource_with_properties(doc, "avi_cloud", {"vtype": "x"})
