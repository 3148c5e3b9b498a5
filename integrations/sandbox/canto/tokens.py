"""OAuth access tokens the Canto sandbox has issued."""

from __future__ import annotations

import secrets
import threading
import time

DEFAULT_TOKEN_TTL = 2_592_000


class TokenStore:
    """Issued OAuth access tokens and their expiry."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, float] = {}
        self.ttl = DEFAULT_TOKEN_TTL

    def issue(self) -> tuple[str, int]:
        """A new token and its lifetime in seconds."""
        token = secrets.token_urlsafe(32)
        with self._lock:
            self._tokens[token] = time.time() + self.ttl
            return token, self.ttl

    def valid(self, token: str) -> bool:
        """Whether ``token`` was issued, not revoked and not expired."""
        with self._lock:
            expires = self._tokens.get(token)
        return expires is not None and expires > time.time()

    def revoke_all(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()

    def reset(self) -> None:
        """No tokens, default lifetime."""
        self.revoke_all()
        self.ttl = DEFAULT_TOKEN_TTL
