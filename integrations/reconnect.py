"""Work that must not be lost with a database connection: done once more on a new one."""

from collections.abc import Callable
from typing import Any

from django.db import InterfaceError, OperationalError, connection

CONNECTION_LOST = (OperationalError, InterfaceError)


def disconnected() -> bool:
    """Whether the connection is gone, rather than the statement refused (a deadlock or a
    lock timeout is an OperationalError too, on a connection that still works)."""
    return connection.connection is None or not connection.is_usable()


def once_more_if_disconnected(fn: Callable[..., Any], *args: Any) -> Any:
    """``fn(*args)``; if the connection was lost, once more on a new one. Inside a
    transaction the loss is raised instead: the transaction is gone with the connection."""
    try:
        return fn(*args)
    except CONNECTION_LOST:
        if connection.in_atomic_block or not disconnected():
            raise
        connection.close()
        return fn(*args)
