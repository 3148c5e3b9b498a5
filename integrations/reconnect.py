"""Work that must not be lost with a database connection: done once more on a new one."""

from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection

CONNECTION_LOST = (OperationalError, InterfaceError)
# OperationalErrors on a connection that still works: deadlock, serialization failure, lock
# not available, statement timeout. Repeating the work at once would meet them again.
REFUSED = {"40P01", "40001", "55P03", "57014"}


def disconnected(exc: BaseException) -> bool:
    """Whether ``exc`` tells of a lost connection, rather than a statement the database
    refused on a connection that still works."""
    return getattr(exc.__cause__, "sqlstate", None) not in REFUSED


def once_more_if_disconnected(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; if the connection was lost, once more on a new one. Inside a
    transaction the loss is raised instead: the transaction is gone with the connection."""
    try:
        return fn(*args)
    except CONNECTION_LOST as exc:
        if connection.in_atomic_block or not disconnected(exc):
            raise
        connection.close()
        return fn(*args)
