"""A runnable stand-in for Canto: the API subset our client speaks, plus a control page and API."""

from integrations.sandbox.canto.app import CantoSandbox, start

__all__ = ["CantoSandbox", "start"]
