"""Worker tasks of the audit trail."""

from celery import shared_task

from audit.services import record, verify


class AuditChainBroken(Exception):
    pass


@shared_task(name="audit.tasks.verify_audit_chain")
def verify_audit_chain() -> dict:
    """Verify the whole chain; the job fails (and says where) when the trail was tampered with."""
    result = verify()
    if not result.intact:
        record(
            "audit.verify_failed",
            after={"verified": result.verified, "first_bad_seq": result.first_bad_seq},
            reason=result.problem,
        )
        raise AuditChainBroken(
            f"Audit trail broken at sequence #{result.first_bad_seq}: {result.problem}"
        )
    record("audit.verified", after={"verified": result.verified})
    return {"verified": result.verified}
