"""``application/problem+json`` errors: ``{type, title, status, detail, errors, request_id}``."""

from __future__ import annotations

import json
from collections.abc import Iterable
from http import HTTPStatus

from integrations.sandbox.server import HttpError, Request, Response

PROBLEM_TYPE = "urn:ac:problem:"
REQUEST_ID_KEY = "sandbox.request_id"
SLUGS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "payload-too-large",
    422: "validation-failed",
    429: "rate-limited",
    500: "internal-error",
    502: "bad-gateway",
    503: "service-unavailable",
    504: "gateway-timeout",
}


class Problem(HttpError):
    """An error answered as problem+json; ``errors`` lists ``{"field", "code"}`` pairs."""

    def __init__(
        self,
        status: int,
        detail: str = "",
        *,
        slug: str = "",
        errors: Iterable[dict[str, str]] = (),
        headers: Iterable[tuple[str, str]] = (),
    ) -> None:
        super().__init__(status, {"error": detail or _phrase(status)})
        self.detail = detail
        self.slug = slug or SLUGS.get(status, "error")
        self.errors = list(errors)
        self.headers = list(headers)


def validation_error(errors: list[dict[str, str]], detail: str = "") -> Problem:
    """A 422 listing the fields in error."""
    return Problem(422, detail or "The request body is not valid.", errors=errors)


def request_id(request: Request) -> str:
    """The id the app gave this request."""
    return str(request.environ.get(REQUEST_ID_KEY, ""))


def problem_response(
    status: int,
    detail: str,
    request_id_value: str,
    *,
    slug: str = "",
    errors: Iterable[dict[str, str]] = (),
    headers: Iterable[tuple[str, str]] = (),
) -> Response:
    """A problem+json response."""
    body = {
        "type": PROBLEM_TYPE + (slug or SLUGS.get(status, "error")),
        "title": _phrase(status),
        "status": status,
        "detail": detail or _phrase(status),
        "errors": list(errors),
        "request_id": request_id_value,
    }
    return Response(
        status,
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode(),
        "application/problem+json",
        list(headers),
    )


def render(exc: HttpError, request: Request) -> Response:
    """Any HttpError as problem+json (an HttpError carrying a Response passes through)."""
    if isinstance(exc.payload, Response):
        return exc.payload
    if isinstance(exc, Problem):
        return problem_response(
            exc.status,
            exc.detail,
            request_id(request),
            slug=exc.slug,
            errors=exc.errors,
            headers=exc.headers,
        )
    payload = exc.payload if isinstance(exc.payload, dict) else {}
    detail = str(payload.get("message") or payload.get("error") or "")
    return problem_response(exc.status, detail, request_id(request))


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"
