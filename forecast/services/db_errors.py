"""Which exceptions are the database's fault (a server that went away, a connection lost), not a bug."""

from __future__ import annotations

from sqlalchemy.exc import DBAPIError, OperationalError


def is_database_fault(exc: BaseException) -> bool:
    return isinstance(exc, OperationalError) or (isinstance(exc, DBAPIError) and exc.connection_invalidated)
