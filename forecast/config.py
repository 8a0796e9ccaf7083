"""Where things live and the user's settings. One module, overridable by environment for tests and cron.

Environment: FORECAST_DB (database), FORECAST_CONFIG (config file), FORECAST_DATA_DIR (data directory).
"""

from __future__ import annotations

import getpass
import os
import tomllib
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from forecast.core.backfill import DEFAULT_BACKFILL_AFTER
from forecast.core.errors import ForecastError

APP = "forecast"


def _platform_dir(kind: str) -> Path:
    import platformdirs  # deferred: only needed when no override is set

    if kind == "data":
        return Path(platformdirs.user_data_dir(APP, appauthor=False))
    return Path(platformdirs.user_config_dir(APP, appauthor=False))


def data_dir() -> Path:
    override = os.environ.get("FORECAST_DATA_DIR")
    return Path(override) if override else _platform_dir("data")


def config_path() -> Path:
    override = os.environ.get("FORECAST_CONFIG")
    return Path(override) if override else _platform_dir("config") / "config.toml"


@dataclass(frozen=True)
class Settings:
    """The user's settings, from the config file with defaults."""

    name: str
    """Forecaster name used when --by is not given."""
    timezone: str
    """IANA zone in which times are shown and bare dates are read ("local" follows the system)."""
    database: str | None
    """Default database: a SQLite file path or a SQLAlchemy URL."""
    backfill_after: timedelta = DEFAULT_BACKFILL_AFTER
    """A forecast recorded more than this after its claimed time is backfilled (`backfill_hours`)."""
    allow_private_urls: bool = False
    """Feed polls may fetch loopback/private/link-local addresses (local testing; FORECAST_ALLOW_PRIVATE_URLS)."""


def os_login() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        # cron and containers may run without a passwd entry or USER; never fail for a name.
        return "me"


def load_settings() -> Settings:
    path = config_path()
    raw: dict = {}
    if path.exists():
        try:
            raw = tomllib.loads(path.read_text(encoding="utf-8"))
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
            raise ForecastError(f"{path}: cannot read config: {exc}") from None
    return Settings(
        name=str(raw.get("name") or os_login()),
        timezone=str(raw.get("timezone") or "local"),
        database=str(raw["database"]) if raw.get("database") else None,
        backfill_after=_backfill_after(path, raw.get("backfill_hours")),
        allow_private_urls=raw.get("allow_private_urls") is True,
    )


def _backfill_after(path: Path, value: object) -> timedelta:
    if value is None:
        return DEFAULT_BACKFILL_AFTER
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 24 * 3650:
        raise ForecastError(f"{path}: backfill_hours must be a number of hours between 0 and 87600")
    return timedelta(hours=value)


def resolve_database(explicit: str | None, settings: Settings | None = None) -> str:
    """--db, then FORECAST_DB, then the config file, then forecast.db in the platform data dir."""
    if explicit:
        return explicit
    env = os.environ.get("FORECAST_DB")
    if env:
        return env
    settings = settings or load_settings()
    if settings.database:
        return settings.database
    return str(data_dir() / "forecast.db")


def ensure_default_data_dir(target: str) -> None:
    """The data directory is forecast's own: create it for its default and demo databases. Any other
    directory must exist already (a typo in --db should fail, not grow a directory tree)."""
    if target in (str(data_dir() / "forecast.db"), demo_database()):
        try:
            data_dir().mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ForecastError(f"cannot create the data directory {data_dir()}: {exc.strerror}") from None


def demo_database() -> str:
    return str(data_dir() / "demo.db")
