"""What a release operation refuses: the portal's service errors under the release's name."""

from portal.errors import Conflict, NotAllowed, StaleRevision
from portal.errors import ServiceError as ReleaseError

__all__ = ["Conflict", "NotAllowed", "ReleaseError", "StaleRevision"]
