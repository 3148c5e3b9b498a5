"""Audit actions of partner requests."""

from audit.registry import register

register("request.received", "Partner request received from Trading Grid")
register("request.changed_in_tradinggrid", "Partner request changed in Trading Grid")
register("request.comment_received", "Partner comment received from Trading Grid")
