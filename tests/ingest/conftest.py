"""The local web server every ingest test fetches from; nothing leaves 127.0.0.1."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.ingest.webserver import FIXTURES, LocalServer

# Articles are read "now" = this moment, so plausibility checks do not depend on the real clock.
RETRIEVED = datetime(2024, 10, 7, 12, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def web():
    with LocalServer() as served:
        yield served


@pytest.fixture
def fixture_text():
    def read(name: str) -> str:
        return (FIXTURES / name).read_text(encoding="utf-8")

    return read


@pytest.fixture
def fixture_bytes():
    def read(name: str) -> bytes:
        return (FIXTURES / name).read_bytes()

    return read
