"""The portal's URLs plus one view that only answers 200, the yardstick of the webhook
benchmark: the same server, middleware and request shape, none of the receiver's work."""

from django.http import HttpRequest, HttpResponse
from django.urls import path
from django.views.decorators.csrf import csrf_exempt

from portal.urls import urlpatterns as portal_urlpatterns


@csrf_exempt
def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse(b"ok", content_type="text/plain")


urlpatterns = [*portal_urlpatterns, path("_bench/ok", ok, name="bench-ok")]
