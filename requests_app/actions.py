"""Audit actions of partner requests."""

from audit.registry import register

for action, label in [
    ("request.received", "Partner request received from Trading Grid"),
    ("request.opened_in_portal", "Request opened in the portal"),
    ("request.changed_in_tradinggrid", "Partner request changed in Trading Grid"),
    ("request.comment_received", "Comment received from Trading Grid"),
    ("request.commented", "Comment written in the portal"),
    ("request.triaged", "Request triaged"),
    ("request.assigned", "Request given to an owner"),
    ("request.due_changed", "Request due date changed"),
    ("request.started", "Work on the request started"),
    ("request.waiting_for_partner", "Request waits for the partner"),
    ("request.partner_answered", "The partner answered"),
    ("request.routed_to_canto", "Request's work item queued in Canto"),
    ("request.album_created", "Request's album created in Canto"),
    ("request.content_arrived", "Content for the request arrived in Canto"),
    ("request.delivery_started", "Delivery release submitted"),
    ("request.delivery_stopped", "Delivery release rejected or withdrawn"),
    ("request.delivered", "Request delivered"),
    ("request.answered", "Request answered"),
    ("request.confirmed", "Delivery confirmed by the partner"),
    ("request.closed", "Request closed"),
    ("request.reopened", "Request reopened"),
    ("request.cancelled", "Request cancelled by the partner"),
    ("request.rejected", "Request rejected"),
    ("request.breached", "Request passed its due date"),
    ("request.status_link_issued", "Status link issued"),
    ("request.status_link_revoked", "Status link revoked"),
    ("request.status_viewed", "Status page viewed by the partner"),
    ("request.saved_view_changed", "Saved view of the request queue changed"),
    ("findability.improved", "Tags or keywords pushed to Canto for findability"),
]:
    register(action, label)
