"""Audit actions of the foundation: sign-in, the trail itself, jobs and administration."""

from audit.registry import register

register("auth.login", "Signed in")
register("auth.logout", "Signed out")
register("auth.login_failed", "Sign-in failed")
register("auth.lockout", "Locked out after repeated failed sign-ins")
register("audit.verified", "Audit trail verified")
register("audit.verify_failed", "Audit trail verification found tampering")
register("audit.exported", "Audit trail exported")
register("admin.added", "Added in the admin site")
register("admin.changed", "Changed in the admin site")
register("admin.deleted", "Deleted")
register("jobs.pruned", "Old job records pruned")
register("demo.seeded", "Demo data seeded")
