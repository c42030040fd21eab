"""The app starts without the heavy libraries: tools import them where they are used (issue 11)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

HEAVY = ("sklearn", "scipy", "fpdf", "fhir")

CODE = """
import json, sys
from heroes.core.web.app import create_app
create_app()
print(json.dumps(sorted({m.split('.')[0] for m in sys.modules})))
"""


def test_building_the_app_does_not_import_heavy_libraries(tmp_path) -> None:
    env = {**os.environ, "HEROES_DATA_DIR": str(tmp_path)}
    out = subprocess.run([sys.executable, "-c", CODE], env=env, capture_output=True, text=True, timeout=120, check=True)
    loaded = set(json.loads(out.stdout.strip().splitlines()[-1]))
    assert "heroes" in loaded
    assert not loaded & set(HEAVY), f"imported at start-up: {sorted(loaded & set(HEAVY))}"
