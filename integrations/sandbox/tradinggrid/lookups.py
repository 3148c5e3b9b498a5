"""Finding the objects named in a path, or answering 404 problem+json."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from integrations.sandbox.server import Request
from integrations.sandbox.tradinggrid.problems import Problem
from integrations.sandbox.tradinggrid.state import Community, Partner, PartnerRequest, Publication

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox


def find(objects: dict[str, Any], object_id: str, what: str) -> Any:
    """``objects[object_id]``, or a 404 problem naming ``what``."""
    found = objects.get(object_id)
    if found is None:
        raise Problem(404, f"No {what} {object_id!r}.")
    return found


def community(sb: TradingGridSandbox, request: Request) -> Community:
    """The community named in the path."""
    return find(sb.store.communities, request.params["id"], "community")


def partner(sb: TradingGridSandbox, request: Request) -> Partner:
    """The partner named in the path."""
    return find(sb.store.partners, request.params["id"], "partner")


def publication(sb: TradingGridSandbox, request: Request) -> Publication:
    """The publication named in the path."""
    return find(sb.store.publications, request.params["id"], "publication")


def partner_request(sb: TradingGridSandbox, request: Request) -> PartnerRequest:
    """The partner request named in the path."""
    return find(sb.store.requests, request.params["id"], "request")
