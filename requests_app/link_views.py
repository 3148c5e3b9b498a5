"""Status links of a request: issue one (shown once), e-mail one, revoke one.

A new link's address exists only in the response to the POST that issued it: it is rendered
there, never stored, never put in a redirect, a message or the session.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.views.decorators.http import require_POST

from portal.errors import Conflict, ServiceError
from requests_app import links
from requests_app.detail_views import render_detail
from requests_app.forms import LinkForm
from requests_app.views import CHANGE, visible_request


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def issue(request, pk: int):
    req = visible_request(request, pk)
    form = LinkForm(request.POST, req=req, user=request.user, prefix="link")
    if not form.is_valid():
        return render_detail(request, req, bound=form, status=400)
    try:
        link, token = links.issue(
            request.user,
            req,
            days=form.cleaned_data["days"],
            revoke_others=form.cleaned_data["revoke_others"],
        )
    except Conflict as error:
        messages.error(request, str(error))
        return redirect("requests:detail", req.pk)
    except ServiceError as error:
        form.add_error(None, str(error))
        return render_detail(request, req, bound=form, status=error.status)
    response = render(
        request,
        "requests/link_issued.html",
        {"req": req, "link": link, "url": links.url_for(token)},
    )
    add_never_cache_headers(response)
    response["Referrer-Policy"] = "no-referrer"
    return response


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def send(request, pk: int):
    req = visible_request(request, pk)
    try:
        links.send_later(request.user, req)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "A new status link will be e-mailed to the partner's contacts.")
    return redirect("requests:detail", req.pk)


@login_required
@permission_required(CHANGE, raise_exception=True)
@require_POST
def revoke(request, pk: int, link_pk: int):
    req = visible_request(request, pk)
    link = get_object_or_404(req.status_links, pk=link_pk)
    try:
        links.revoke(request.user, link)
    except ServiceError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, f"Link {link.hint}… revoked; it no longer opens the status page.")
    return redirect("requests:detail", req.pk)
