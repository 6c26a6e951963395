"""Hand the emulated GSLB leader what it would learn from polling each member site: the site's
virtual services (``sites/<site>.json``). A real leader polls its sites; the emulator is one
controller, so the demo tells it (``PUT /emulator/gslb/sites/<cluster uuid>``).

Usage: python hand_over_sites.py CONTROLLER_URL PASSWORD sites/east.json [sites/west.json ...]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import requests


def hand_over(url: str, password: str, files: list[Path]) -> None:
    session = requests.Session()
    login = session.post(f"{url}/login", json={"username": "admin", "password": password},
                         timeout=10)
    login.raise_for_status()
    headers = {"X-CSRFToken": session.cookies["csrftoken"], "Referer": url}
    for path in files:
        site = json.loads(path.read_text())
        answer = session.put(f"{url}/emulator/gslb/sites/{site['cluster_uuid']}", timeout=10,
                             json={"virtualservices": site["virtualservices"]},
                             headers=headers)
        answer.raise_for_status()
        print(f"{path.name}: {len(site['virtualservices'])} virtual service(s) of site "
              f"{site['cluster_uuid']}")


if __name__ == "__main__":
    hand_over(sys.argv[1], sys.argv[2], [Path(p) for p in sys.argv[3:]])
