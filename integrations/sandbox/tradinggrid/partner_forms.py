"""The partner view's form handlers under ``/_sandbox/ui/``: act, then go back (303).

A download answers with a redirect to the file's ``source_url`` instead.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Callable
from functools import partial
from typing import TYPE_CHECKING

from integrations.sandbox.server import HttpError, Request, Response, Router, redirect
from integrations.sandbox.tradinggrid import actions, partner_requests
from integrations.sandbox.tradinggrid.problems import Problem

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

Fields = dict[str, str]


def _back(fields: Fields, message: str) -> Response:
    query = {"partner": fields.get("partner_id", ""), "contact": fields.get("contact_id", "")}
    query["msg"] = message
    return redirect("/_sandbox/?" + urllib.parse.urlencode(query), 303)


def _reason(exc: HttpError) -> str:
    if isinstance(exc, Problem):
        codes = ", ".join(f"{e['field']}: {e['code']}" for e in exc.errors)
        return f"{exc.detail} {codes}".strip()
    payload = exc.payload if isinstance(exc.payload, dict) else {}
    return str(payload.get("error") or exc.status)


def _run(fields: Fields, action: Callable[[], str]) -> Response:
    try:
        message = action()
    except HttpError as exc:
        return _back(fields, f"Not done: {_reason(exc)}")
    return _back(fields, message)


def view(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/publications/{id}/view``."""
    fields = request.form()[0]

    def act() -> str:
        pub = actions.view(sb, request.params["id"], fields.get("partner_id"), _contact(fields))
        return f"Viewed “{pub.fields.get('title')}” (publication.viewed sent)"

    return _run(fields, act)


def acknowledge(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/publications/{id}/acknowledge`` (status acknowledged or declined)."""
    fields = request.form()[0]

    def act() -> str:
        ack = actions.acknowledge(
            sb,
            request.params["id"],
            fields.get("partner_id"),
            _contact(fields),
            fields.get("status") or "acknowledged",
            fields.get("comment", ""),
        )
        return f"{ack.status.capitalize()} {ack.publication_id} (publication.acknowledged sent)"

    return _run(fields, act)


def download(sb: TradingGridSandbox, request: Request) -> Response:
    """``GET`` or ``POST /_sandbox/ui/publications/{id}/download``: then on to the file."""
    fields = dict(request.query)
    if request.method == "POST":
        fields.update(request.form()[0])
    try:
        chosen = actions.download(
            sb,
            request.params["id"],
            fields.get("partner_id"),
            _contact(fields),
            fields.get("file") or 0,
        )
    except HttpError as exc:
        return _back(fields, f"Not done: {_reason(exc)}")
    source = str(chosen.get("source_url") or "")
    if not source.startswith(("http://", "https://")):
        return _back(fields, "Download counted, but the file has no source_url.")
    return redirect(source, 302)


def open_request(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/requests``."""
    fields = request.form()[0]

    def act() -> str:
        data: dict[str, object] = dict(fields)
        data["contact_id"] = _contact(fields)
        data["asset_refs"] = [fields["external_ref"]] if fields.get("external_ref") else []
        found = partner_requests.open_request(sb, data)
        return f"Opened {found.id} (request.created sent)"

    return _run(fields, act)


def comment(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/requests/{id}/comments``."""
    fields = request.form()[0]

    def act() -> str:
        created = partner_requests.comment(
            sb, request.params["id"], fields.get("body"), _contact(fields)
        )
        return f"Commented on {created.request_id} (request.comment.created sent)"

    return _run(fields, act)


def confirm(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/requests/{id}/confirm``: resolved → closed."""
    fields = request.form()[0]

    def act() -> str:
        found = partner_requests.set_status(
            sb, request.params["id"], "closed", only_from=("resolved",)
        )
        return f"Confirmed delivery of {found.id} (request.updated sent)"

    return _run(fields, act)


def reopen(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /_sandbox/ui/requests/{id}/reopen``: resolved, closed or cancelled → open."""
    fields = request.form()[0]

    def act() -> str:
        found = partner_requests.set_status(
            sb, request.params["id"], "open", only_from=("resolved", "closed", "cancelled")
        )
        return f"Reopened {found.id} (request.updated sent)"

    return _run(fields, act)


def _contact(fields: Fields) -> str | None:
    return fields.get("contact_id") or None


def register(router: Router, sb: TradingGridSandbox) -> None:
    """Add the partner view's form routes."""
    publication = "/_sandbox/ui/publications/{id}"
    request = "/_sandbox/ui/requests"
    routes: list[tuple[str, str, Callable[[TradingGridSandbox, Request], Response]]] = [
        ("POST", f"{publication}/view", view),
        ("POST", f"{publication}/acknowledge", acknowledge),
        ("GET", f"{publication}/download", download),
        ("POST", f"{publication}/download", download),
        ("POST", request, open_request),
        ("POST", f"{request}/{{id}}/comments", comment),
        ("POST", f"{request}/{{id}}/confirm", confirm),
        ("POST", f"{request}/{{id}}/reopen", reopen),
    ]
    for method, pattern, handler in routes:
        router.add(method, pattern, partial(handler, sb))
