"""When the state backend stops accepting writes in the middle of an apply, nothing created is
forgotten: the final state goes to errored.tfstate and the run fails with an explanation."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from albform.engine.state.backends.http_server import StateServer
from albform.provider.emulator import start_emulator

CONTROLLER = Path(__file__).resolve().parents[2] / "examples" / "lb-demo" / "controller"


def test_backend_failure_mid_apply_leaves_errored_tfstate(albform: Any, tmp_path: Path) -> None:
    work = tmp_path / "cfg"
    shutil.copytree(CONTROLLER, work)
    with start_emulator(password="pw") as emu:
        server = StateServer(data_dir=tmp_path / "states").start()
        # The state store takes the first write, then breaks (a disk full, a database gone).
        store = server.httpd.store
        accepted = []

        def failing_put(key: str, data: bytes) -> None:
            if accepted:
                raise OSError("No space left on device")
            accepted.append(key)
            original_put(key, data)

        original_put = store.put
        store.put = failing_put
        try:
            result = albform("-chdir=" + str(work), "apply", "-auto-approve", "-lock=false",
                             "-backend=http", f"-backend-config=address={server.url}/demo",
                             env={"AVI_CONTROLLER": emu.url, "AVI_USERNAME": "admin",
                                  "AVI_PASSWORD": "pw"}, timeout=180)
        finally:
            server.close()
    assert result.code == 1, result.out + result.err
    assert "Failed to persist state to backend" in result.err
    errored = json.loads((work / "errored.tfstate").read_text())
    recorded = {f'{r["type"]}.{r["name"]}' for r in errored["resources"]}
    created = {line.split(":")[0] for line in result.out.splitlines()
               if "Creation complete" in line}
    assert created and created <= recorded
    assert "pw" not in (work / "errored.tfstate").read_text().replace("password", "")
