"""Error pages in the portal's own style."""

from django.shortcuts import render


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
