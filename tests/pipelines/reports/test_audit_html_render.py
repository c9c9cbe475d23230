"""audit.html renders in headless Chromium (Debian's `chromium` package) from disk."""

from __future__ import annotations

import os
import shutil
import subprocess

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# Flags that keep Chromium off the network (this machine has none) and quiet as root.
OFFLINE_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SECTIONS = (
    "Run",
    "Records by source",
    "Reason codes",
    "Personal",
    "License",
    "Duplicate",
    "Opt-out",
    "Consent",
    "gate",
    "Validation",
)

needs_chromium = pytest.mark.skipif(
    CHROMIUM is None and not os.environ.get("CI"),
    reason="Debian's chromium is not installed (`apt-get install chromium`); CI installs it",
)


def chromium(*args: str, profile) -> subprocess.CompletedProcess:
    assert CHROMIUM, "chromium must be installed in CI (see .ci/run)"
    return subprocess.run(
        [CHROMIUM, *OFFLINE_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@needs_chromium
def test_audit_html_renders_with_its_main_sections(demo_run, tmp_path):
    page = (demo_run / "reports" / "audit.html").resolve().as_uri()
    rendered = chromium("--dump-dom", page, profile=tmp_path / "profile")
    assert rendered.returncode == 0, rendered.stderr[-1000:]
    for section in SECTIONS:
        assert section.lower() in rendered.stdout.lower(), section
    assert "<svg" in rendered.stdout  # the charts are inline SVG


@needs_chromium
def test_audit_html_screenshot_is_a_png(demo_run, tmp_path):
    page = (demo_run / "reports" / "audit.html").resolve().as_uri()
    shot = tmp_path / "audit.png"
    result = chromium(
        f"--screenshot={shot}", "--window-size=1280,2400", page, profile=tmp_path / "profile"
    )
    assert result.returncode == 0, result.stderr[-1000:]
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
