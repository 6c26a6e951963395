"""The built-in GSLB module (source = "albform/amko") contributes exactly the GSLB
translator's objects under the module's address, and reports bad arguments."""

from __future__ import annotations

from pathlib import Path

from albform.engine.addrs import ModuleStep
from albform.modules.gslb.load import MemberSource, load_gslb_configuration
from albform.modules.hcl.load import load_configuration

DEMO = Path(__file__).resolve().parents[3] / "examples" / "gslb-demo"


def test_module_matches_the_translator() -> None:
    config, diags = load_configuration(DEMO / "hcl", env={})
    assert not diags.has_errors(), [str(d) for d in diags]
    expected, more = load_gslb_configuration(
        [MemberSource("east", (DEMO / "east",)), MemberSource("west", (DEMO / "west",))],
        [DEMO / "amko" / "gslbconfig.yaml", DEMO / "amko" / "gdp.yaml"],
        module=(ModuleStep("gslb", None),))
    assert not more.has_errors()
    got = {str(r.address): r.attributes for r in config.resources}
    want = {str(r.address): r.attributes for r in expected.resources}
    assert got == want
    assert 'module.gslb.avi_gslbservice.amko["lb-demo.avi.example.com"]' in got


def test_bad_arguments_are_reported_at_their_line(write) -> None:
    root = write({"main.tf": """
        module "gslb" {
          source  = "albform/amko"
          members = "not-a-map"
          amko    = "amko.yaml"
          colour  = "blue"
        }
    """})
    _, diags = load_configuration(root, env={})
    messages = [(d.summary, d.subject.start_line if d.subject else None) for d in diags]
    assert ("Unsupported argument", 6) in messages
    assert ("Invalid value", 4) in messages


def test_an_unreadable_member_is_an_error(write) -> None:
    root = write({"main.tf": f"""
        module "gslb" {{
          source  = "albform/amko"
          members = {{ east = "{DEMO / 'east'}", west = "missing-dir" }}
          amko    = ["{DEMO / 'amko'}"]
        }}
    """})
    config, diags = load_configuration(root, env={})
    assert diags.has_errors()
    assert any(d.summary == "Manifest not found" for d in diags)
    assert not config.resources


def test_cdktf_construct_plans_what_the_module_does(tmp_path: Path) -> None:
    from albform.modules.cdktf import AmkoGslb, App, Stack

    app = App(outdir=str(tmp_path))
    stack = Stack(app, "gslb")
    AmkoGslb(stack, "gslb", members={"east": DEMO / "east", "west": DEMO / "west"},
             amko=[DEMO / "amko" / "gslbconfig.yaml", DEMO / "amko" / "gdp.yaml"])
    app.synth()
    synthesized, diags = load_configuration(tmp_path / "stacks" / "gslb", env={})
    assert not diags.has_errors(), [str(d) for d in diags]
    from_hcl, _ = load_configuration(DEMO / "hcl", env={})
    # The same objects at the same addresses; the synthesized module writes them in the
    # official provider's configuration form (strings for its TypeString flags, blocks).
    from albform.provider.schema.official_view import config_form

    assert ({str(r.address): r.attributes for r in synthesized.resources}
            == {str(r.address): config_form(r.address.type, r.attributes)[0]
                for r in from_hcl.resources})
