"""What a service operation refuses, so that every entry point can say it the same way.

Views turn these into form errors and messages, the API into 400, 403, 409 and 412.
"""


class ServiceError(Exception):
    """The operation is refused for a reason the person can fix (HTTP 400)."""

    status = 400


class NotAllowed(ServiceError):
    """The person may not do this to this object (HTTP 403)."""

    status = 403


class Conflict(ServiceError):
    """The object is not in a state that allows this, e.g. someone else acted first (409)."""

    status = 409


class StaleRevision(Conflict):
    """The object changed since the person loaded it (HTTP 412 on If-Match)."""

    status = 412
