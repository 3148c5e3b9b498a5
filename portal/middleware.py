"""Request context middleware: request id, client IP, actor and entry point for every request."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from portal import context


def _via(path: str) -> str:
    if path.startswith("/api/"):
        return "api"
    if path.startswith("/webhooks/"):
        return "webhook"
    return "web"


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ctx = context.RequestContext(
            request_id=context.incoming_request_id(request),
            ip=context.client_ip(request),
            via=_via(request.path),
            actor=context.Actor(context.SYSTEM, "anonymous"),
            request=request,
        )
        request.request_id = ctx.request_id
        token = context.activate(ctx)
        try:
            response = self.get_response(request)
        finally:
            context.deactivate(token)
        response["X-Request-ID"] = ctx.request_id
        return response
