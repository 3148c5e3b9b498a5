"""Error pages in the portal's own style."""

from django.http import JsonResponse
from django.shortcuts import render
from django.views.defaults import page_not_found


def csrf_failure(request, reason: str = ""):
    return render(
        request,
        "403.html",
        {
            "message": "The form has expired or was not sent from this site. "
            "Reload the page and try again."
        },
        status=403,
    )


def not_found(request, exception=None):
    """API addresses that match no route answer in JSON, as the API's own 404s do."""
    if request.path_info.startswith("/api/"):
        return JsonResponse({"detail": "No such address in the API."}, status=404)
    return page_not_found(request, exception)
