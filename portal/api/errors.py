"""What a service refuses, answered by the API with the service's status and message."""

from rest_framework.exceptions import APIException

from portal.errors import ServiceError


class ServiceErrorsAnswered:
    """Mixed into a viewset: a ``ServiceError`` becomes its 400/403/409/412 with ``detail``."""

    def handle_exception(self, exc):
        if isinstance(exc, ServiceError):
            refused = APIException(detail=str(exc))
            refused.status_code = exc.status
            exc = refused
        return super().handle_exception(exc)
