"""Column types. Times are BIGINT microseconds since the epoch (UTC): exact, and cheap to bulk-read."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from forecast.core.timeparse import from_micros, to_micros


class UTCMicros(TypeDecorator):
    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value: datetime | int | None, dialect):
        if value is None or isinstance(value, int):
            return value
        return to_micros(value)

    def process_result_value(self, value: int | None, dialect):
        return None if value is None else from_micros(value)


# Every table module imports this one, so every ORM write passes the text rules (store/text_guard.py).
from forecast.store import text_guard as _text_guard  # noqa: E402

_text_guard.install_mapper_events()
