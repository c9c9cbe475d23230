"""The run makes no network connection: a socket guard in the launcher and every worker."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import DEMO_CONFIG, REPO

GUARD = Path(__file__).resolve().parent / "network_guard"


def test_demo_run_opens_no_connection_beyond_loopback(tmp_path):
    log = tmp_path / "connections.log"
    environment = dict(os.environ)
    environment["PYTHONPATH"] = os.pathsep.join(
        [str(GUARD), str(REPO), environment.get("PYTHONPATH", "")]
    )
    environment["NETWORK_GUARD_LOG"] = str(log)
    # Not the usual safeguard: prove the code itself stays offline.
    environment.pop("TLDEXTRACT_PUBLIC_SUFFIX_LIST_URLS", None)
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pipelines.commands.cli",
            "run",
            str(DEMO_CONFIG),
            "--output",
            str(tmp_path / "out"),
            "--quiet",
            "--direct_num_workers=2",
            "--direct_running_mode=multi_processing",
        ],
        env=environment,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert completed.returncode == 0, completed.stderr[-2000:]
    attempts = log.read_text() if log.exists() else ""
    assert attempts == "", f"connections attempted:\n{attempts}"


def test_the_guard_itself_refuses_outside_connections(tmp_path):
    log = tmp_path / "connections.log"
    environment = dict(os.environ, PYTHONPATH=str(GUARD), NETWORK_GUARD_LOG=str(log))
    probe = "import socket; socket.create_connection(('192.0.2.1', 80), timeout=1)"
    completed = subprocess.run(
        [sys.executable, "-c", probe], env=environment, capture_output=True, text=True, timeout=60
    )
    assert completed.returncode != 0
    assert "192.0.2.1" in log.read_text()
