from __future__ import annotations

from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "trackers"


@pytest.fixture
def fixtures() -> Path:
    return FIXTURES
