"""Outbox operations that write to Trading Grid. Each gets the message's idempotency key."""

from integrations.http import NotFound
from integrations.outbox import operation
from integrations.tradinggrid import reconcile
from integrations.tradinggrid.client import TradingGridClient


def _client() -> TradingGridClient:
    return TradingGridClient.from_settings()


@operation(
    "tradinggrid.publish",
    on_sent=lambda m: reconcile.on_published(m),
    on_dead=lambda m: reconcile.on_given_up(m),
)
def publish(payload: dict, key: str) -> dict:
    return _client().publish(payload["community_id"], payload["publication"], key=key)


@operation(
    "tradinggrid.update_publication",
    on_sent=lambda m: reconcile.on_updated(m),
    on_dead=lambda m: reconcile.on_given_up(m),
)
def update_publication(payload: dict, key: str) -> dict:
    return _client().update_publication(payload["publication_id"], payload["changes"], key=key)


@operation(
    "tradinggrid.archive_publication",
    on_sent=lambda m: reconcile.on_archived(m),
    on_dead=lambda m: reconcile.on_given_up(m),
)
def archive_publication(payload: dict, key: str) -> dict:
    """Withdraw a publication; one Trading Grid no longer has is already out of sight."""
    try:
        return _client().archive_publication(payload["publication_id"], key=key)
    except NotFound:
        return {"id": payload["publication_id"], "status": "absent"}


@operation("tradinggrid.update_request")
def update_request(payload: dict, key: str) -> dict:
    return _client().update_request(payload["request_id"], payload["changes"], key=key)


@operation("tradinggrid.add_comment")
def add_comment(payload: dict, key: str) -> dict:
    return _client().add_comment(payload["request_id"], payload["comment"], key=key)
