"""Who is acting, from where, in which request: held in a context variable.

The web middleware opens a context per request; Celery tasks reopen the context of whoever
queued them; commands and beat run in a system context. The audit trail reads it.
"""

from __future__ import annotations

import contextvars
import ipaddress
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.conf import settings
from django.http import HttpRequest

USER = "user"
API_TOKEN = "api_token"  # noqa: S105  (an actor type, not a secret)
PARTNER = "partner"
TASK = "task"
WEBHOOK = "webhook"
SYSTEM = "system"
ACTOR_TYPES = [
    (USER, "User"),
    (API_TOKEN, "API token"),
    (PARTNER, "Partner (status link)"),
    (TASK, "Task"),
    (WEBHOOK, "Webhook"),
    (SYSTEM, "System"),
]
# Where the work entered the portal.
VIA_CHOICES = [
    ("web", "Web"),
    ("api", "API"),
    ("task", "Worker"),
    ("beat", "Schedule"),
    ("webhook", "Webhook"),
    ("cli", "Command line"),
    ("system", "System"),
]


@dataclass(frozen=True)
class Actor:
    type: str
    name: str
    id: int | None = None


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    ip: str | None = None
    via: str = "system"
    actor: Actor = field(default_factory=lambda: Actor(SYSTEM, "system"))
    # The HTTP request, when there is one; the user and API token are read from it lazily
    # because DRF authenticates after the middleware has run.
    request: HttpRequest | None = field(default=None, compare=False, repr=False)

    def resolved_actor(self) -> Actor:
        if self.request is None:
            return self.actor
        user = getattr(self.request, "user", None)
        if user is None or not user.is_authenticated:
            return self.actor
        from rest_framework.authtoken.models import Token

        if isinstance(getattr(self.request, "auth", None), Token):
            return Actor(API_TOKEN, user.get_username(), user.pk)
        return Actor(USER, user.get_username(), user.pk)

    def for_task(self) -> dict[str, Any]:
        """What travels with a queued task so that the worker acts in the asker's name."""
        actor = self.resolved_actor()
        return {
            "request_id": self.request_id,
            "ip": self.ip,
            "via": self.via,
            "actor": asdict(actor),
        }

    @classmethod
    def from_task(cls, data: dict[str, Any] | None, *, via: str = "task") -> RequestContext:
        if not data:
            return cls(request_id=new_request_id(), via=via, actor=Actor(TASK, "worker"))
        actor = Actor(**data.get("actor") or {"type": TASK, "name": "worker"})
        return cls(
            request_id=data.get("request_id") or new_request_id(),
            ip=data.get("ip"),
            via=via,
            actor=actor,
        )


_process_default = RequestContext()
_current: contextvars.ContextVar[RequestContext | None] = contextvars.ContextVar(
    "portal_request_context", default=None
)


def new_request_id() -> str:
    return str(uuid.uuid4())


def current() -> RequestContext:
    return _current.get() or _process_default


def set_process_default(ctx: RequestContext) -> None:
    """The context of a process with no request in flight (beat, a command)."""
    global _process_default
    _process_default = ctx


def activate(ctx: RequestContext) -> contextvars.Token:
    return _current.set(ctx)


def deactivate(token: contextvars.Token) -> None:
    _current.reset(token)


@contextmanager
def acting_as(actor: Actor, *, via: str | None = None, **changes: Any) -> Iterator[RequestContext]:
    """Run a block as another actor (a webhook, a partner link, the system)."""
    base = current()
    ctx = replace(base, actor=actor, request=None, via=via or base.via, **changes)
    token = activate(ctx)
    try:
        yield ctx
    finally:
        deactivate(token)


def _is_trusted_proxy(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    for entry in settings.TRUSTED_PROXIES:
        try:
            if ip in ipaddress.ip_network(entry, strict=False):
                return True
        except ValueError:
            continue
    return False


def client_ip(request: HttpRequest) -> str | None:
    """The client address; X-Forwarded-For is honoured only when it comes from a trusted proxy.

    The forwarded chain is read from the right, skipping our own proxies, so a client cannot
    choose its address by sending the header itself.
    """
    remote = request.META.get("REMOTE_ADDR") or None
    if not remote or not _is_trusted_proxy(remote):
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for candidate in reversed([p for p in forwarded if p]):
        try:
            ipaddress.ip_address(candidate)
        except ValueError:
            return remote
        if not _is_trusted_proxy(candidate):
            return candidate
    return remote


def incoming_request_id(request: HttpRequest) -> str:
    """The proxy's X-Request-ID when it is trusted and well formed, else a new UUID."""
    remote = request.META.get("REMOTE_ADDR") or ""
    offered = request.META.get("HTTP_X_REQUEST_ID", "")
    if offered and _is_trusted_proxy(remote) and _valid_request_id(offered):
        return offered
    return new_request_id()


def _valid_request_id(value: str) -> bool:
    return 0 < len(value) <= 64 and all(c.isalnum() or c in "-_." for c in value)
