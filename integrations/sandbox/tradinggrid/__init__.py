"""A runnable stand-in for OpenText Active Community on Trading Grid: the adapter API of
``api/tradinggrid.md``, signed outgoing events, a partner view and a JSON control API."""

from integrations.sandbox.tradinggrid.app import TradingGridSandbox, start

__all__ = ["TradingGridSandbox", "start"]
