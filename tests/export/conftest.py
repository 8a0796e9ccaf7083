"""Headless Chromium for the report test: Debian's `chromium`, installed here when missing.

Installing needs root and apt (true in CI and the dev container); elsewhere the browser tests skip and
say why. FORECAST_REQUIRE_CHROMIUM=1 turns that skip into a failure. Under pytest-xdist each worker
runs this fixture, so the install is serialised with a file lock (and apt waits for dpkg's own lock).
"""

from __future__ import annotations

import fcntl
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

INSTALL_TIMEOUT_S = 900


def _install_chromium() -> str | None:
    """None when chromium is (now) on PATH, else the reason it could not be installed."""
    if shutil.which("chromium"):
        return None
    with open(Path(tempfile.gettempdir()) / "forecast-chromium-install.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)  # another xdist worker may be installing it right now
        return _install_locked()


def _install_locked() -> str | None:
    if shutil.which("chromium"):
        return None
    if os.geteuid() != 0:
        return "chromium is not installed and installing it needs root (apt-get install -y chromium)"
    if not shutil.which("apt-get"):
        return "chromium is not installed and there is no apt-get to install it with"
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    install = ["apt-get", "-o", "DPkg::Lock::Timeout=600", "install", "-y", "--no-install-recommends", "chromium"]
    for cmd in (install, ["apt-get", "update"], install):
        try:
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=INSTALL_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            return f"`{' '.join(cmd)}` timed out"
        if cmd is install and proc.returncode == 0 and shutil.which("chromium"):
            return None
        if cmd is not install and proc.returncode != 0:
            return "apt-get update failed: " + " ".join((proc.stderr or proc.stdout).strip().splitlines()[-1:])
    return "apt-get install -y chromium failed: " + " ".join((proc.stderr or proc.stdout).strip().splitlines()[-1:])


@pytest.fixture(scope="session")
def chromium() -> str:
    reason = _install_chromium()
    if reason:
        if os.environ.get("FORECAST_REQUIRE_CHROMIUM") == "1":
            pytest.fail(reason)
        pytest.skip(reason)
    return shutil.which("chromium")
