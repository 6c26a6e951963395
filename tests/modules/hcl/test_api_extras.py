"""Avi API fields and types the official provider lacks are refused, as that provider refuses
them, unless ``ALBFORM_API_EXTRAS=true`` opts in (``modules/hcl/schemas.py``)."""

from __future__ import annotations

from pathlib import Path

from albform.modules.hcl.cache import ParseCache
from albform.modules.hcl.load import load_configuration

EXTRAS = Path(__file__).parent / "error_files" / "api_extras.tf"


def test_refusals_say_how_to_opt_in_and_typos_get_a_suggestion(tmp_path: Path) -> None:
    _, diags = load_configuration(EXTRAS, env={}, cache=ParseCache(None))
    details = {e.subject.start_line: e.detail for e in diags.errors() if e.subject}
    assert "ALBFORM_API_EXTRAS=true" in details[5]  # enable_http2
    assert "ALBFORM_API_EXTRAS=true" in details[12]  # a nested field
    assert "ALBFORM_API_EXTRAS=true" in details[16]  # an object type
    assert "ALBFORM_API_EXTRAS" not in details[27]  # read-only: no opt-in makes it settable
    typo = tmp_path / "main.tf"
    typo.write_text('resource "avi_poolgroup" "pg" {\n  name = "pg"\n  min_servrs = 1\n}\n')
    _, diags = load_configuration(typo, env={}, cache=ParseCache(None))
    (error,) = diags.errors()
    assert error.summary == "Unsupported argument" and 'Did you mean "min_servers"' in \
        error.detail and "ALBFORM_API_EXTRAS" not in error.detail


def test_the_opt_in_accepts_them() -> None:
    config, diags = load_configuration(EXTRAS, env={"ALBFORM_API_EXTRAS": "true"},
                                       cache=ParseCache(None))
    # Only the read-only url is still not configurable (a warning: its value is ignored).
    assert [e.summary for e in diags.errors()] == []
    types = {str(r.address) for r in config.resources}
    assert {"avi_poolgroup.pg", "avi_cloud.c", "avi_jwtprofile.jwt",
            "data.avi_jwtprofile.jwt"} <= types
