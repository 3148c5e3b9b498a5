"""Tenant-scoped OAuth2 client credentials: the token endpoint and the Bearer check."""

from __future__ import annotations

import base64
import binascii
import hmac
from typing import TYPE_CHECKING

from integrations.sandbox.canto.tokens import TokenStore as BaseTokenStore
from integrations.sandbox.server import Request, Response, json_response
from integrations.sandbox.tradinggrid.problems import Problem

if TYPE_CHECKING:
    from integrations.sandbox.tradinggrid.app import TradingGridSandbox

TOKEN_TTL = 3600


class TokenStore(BaseTokenStore):
    """Issued access tokens; they live an hour unless the control API says otherwise."""

    def __init__(self) -> None:
        super().__init__()
        self.ttl = TOKEN_TTL

    def reset(self) -> None:
        """No tokens, default lifetime."""
        super().reset()
        self.ttl = TOKEN_TTL


def _basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, encoded = request.header("Authorization").partition(" ")
    if scheme.lower() != "basic" or not encoded.strip():
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    client_id, separator, secret = decoded.partition(":")
    return (client_id, secret) if separator else None


def _same(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode(), expected.encode())


def token(sb: TradingGridSandbox, request: Request) -> Response:
    """``POST /tenants/{tenant_id}/oauth2/token``: client credentials in HTTP Basic."""
    fields = request.form()[0] if request.body else {}
    credentials = _basic_credentials(request)
    if credentials is None and fields.get("client_id"):
        credentials = (fields["client_id"], fields.get("client_secret", ""))
    challenge = [("WWW-Authenticate", 'Basic realm="tradinggrid"')]
    if credentials is None:
        raise Problem(401, "Client credentials required (HTTP Basic).", headers=challenge)
    client_id, secret = credentials
    if not (
        _same(request.params["tenant_id"], sb.tenant_id)
        and _same(client_id, sb.client_id)
        and _same(secret, sb.client_secret)
    ):
        raise Problem(401, "Invalid client credentials for this tenant.", headers=challenge)
    if fields.get("grant_type") != "client_credentials":
        raise Problem(
            400,
            "grant_type must be client_credentials.",
            errors=[{"field": "grant_type", "code": "unsupported"}],
        )
    access_token, ttl = sb.tokens.issue()
    return json_response(
        {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl},
        headers=[("Cache-Control", "no-store")],
    )


def authenticate(sb: TradingGridSandbox, request: Request) -> None:
    """A 401 problem unless the request carries a valid Bearer token."""
    scheme, _, value = request.header("Authorization").partition(" ")
    challenge = [("WWW-Authenticate", 'Bearer realm="tradinggrid"')]
    if scheme.lower() != "bearer" or not value.strip():
        raise Problem(401, "Authorization: Bearer token required.", headers=challenge)
    if not sb.tokens.valid(value.strip()):
        raise Problem(
            401,
            "The access token is invalid, expired or revoked.",
            headers=[("WWW-Authenticate", 'Bearer realm="tradinggrid", error="invalid_token"')],
        )
