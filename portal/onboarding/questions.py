"""Questions partners raise while onboarding belong to their enrollment.

Intake calls ``link`` when it stores a request: a question from a partner with an enrollment in
progress in the request's community is linked to it (the newest one, when there are several).
"""

from __future__ import annotations

from portal.models import Enrollment


def enrollment_for(request) -> Enrollment | None:
    """The enrollment in progress a partner request of kind question belongs to, if any."""
    from requests_app.models import PartnerRequest

    if request.kind != PartnerRequest.Kind.QUESTION or not request.partner_id:
        return None
    return (
        Enrollment.objects.filter(
            partner_id=request.partner_id,
            program__community_id=request.community_id,
            state=Enrollment.State.ACTIVE,
        )
        .order_by("-enrolled_at", "-pk")
        .first()
    )


def link(request) -> dict:
    """Link the request to its enrollment (saved); what to add to its audit event."""
    if request.enrollment_id is not None:
        return {}
    enrollment = enrollment_for(request)
    if enrollment is None:
        return {}
    request.enrollment = enrollment
    request.save(update_fields=["enrollment"])
    return {"enrollment": enrollment.pk}
