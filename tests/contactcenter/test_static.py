"""The production deploy step: static files collect, hashed, with every module resolvable."""

import json
import re
import subprocess
import sys

from tests.processes import PRODUCTION_SECRETS, product_environ


def test_collectstatic_for_production_hashes_every_file_the_pages_import(tmp_path):
    # when
    result = subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
        env=product_environ(
            tmp_path, DEBUG="0", STATIC_ROOT=str(tmp_path / "static"), **PRODUCTION_SECRETS
        ),
        capture_output=True,
        text=True,
        timeout=120,
    )
    # then
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "static" / "staticfiles.json").read_text())["paths"]
    assert re.fullmatch(
        r"contactcenter/agent_socket\.[0-9a-f]{12}\.js", manifest["contactcenter/agent_socket.js"]
    )
    assert "contactcenter/workspace.js" in manifest
