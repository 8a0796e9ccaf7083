"""Load an HTML file in headless Chromium: its console messages and a screenshot."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

CONSOLE = re.compile(r":CONSOLE[:(]")


@dataclass
class Loaded:
    console: list[str]  # every console message (the report has no scripts, so any is a failure)
    screenshot: Path
    stderr: str


def load(chromium: str, page: Path, tmp: Path, *, width: int = 1280, height: int = 2600) -> Loaded:
    shot = tmp / "screenshot.png"
    profile = tmp / "chromium-profile"
    profile.mkdir(exist_ok=True)
    cmd = [
        chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars",
        f"--user-data-dir={profile}", f"--window-size={width},{height}", f"--screenshot={shot}",
        "--enable-logging=stderr", "--v=0", page.resolve().as_uri(),
    ]  # fmt: skip
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert shot.exists(), proc.stderr[-2000:]
    console = [line for line in proc.stderr.splitlines() if CONSOLE.search(line)]
    return Loaded(console=console, screenshot=shot, stderr=proc.stderr)


def ink(png: Path) -> dict[str, int]:
    """Pixel counts: `ink` (not near-white) and `blue` (the calibration bins' colour, #1f77b4)."""
    import numpy as np
    from PIL import Image

    rgb = np.asarray(Image.open(png).convert("RGB")).astype(np.int32)
    r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
    return {
        "pixels": int(r.size),
        "ink": int(((r + g + b) < 720).sum()),
        "blue": int(((b > 150) & (r < 80) & (g > 90) & (g < 150)).sum()),
    }
