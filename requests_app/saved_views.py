"""A person's saved views of the request queue: a name for a query string. Atomic and audited."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.http import QueryDict

from audit.services import record
from portal.errors import Conflict, NotAllowed, ServiceError
from requests_app.models import SavedView
from requests_app.rules import VIEW, require

MAX_VIEWS = 50
NOT_SAVED = ("page", "format", "csrfmiddlewaretoken")


def clean_query(query: str) -> str:
    """The filter part of a query string, without paging or export parameters."""
    data = QueryDict(query.strip().lstrip("?"), mutable=True)
    for key in NOT_SAVED:
        data.pop(key, None)
    for key in list(data):
        if not any(v.strip() for v in data.getlist(key)):
            del data[key]
    text = data.urlencode()
    if len(text) > 1000:
        raise ServiceError("This filter is too long to save.")
    return text


def views_of(user):
    return SavedView.objects.filter(user=user).order_by("name")


@transaction.atomic
def save(user, name: str, query: str) -> SavedView:
    """Save the query under the name; an existing view of that name gets the new query."""
    require(user, permission=VIEW)
    name = " ".join(name.split())
    if not name:
        raise ServiceError("Name the view.")
    if len(name) > 80:
        raise ServiceError("Keep the name under 80 characters.")
    query = clean_query(query)
    view = SavedView.objects.select_for_update().filter(user=user, name=name).first()
    before = None
    if view is not None:
        before = {"name": view.name, "query": view.query}
        view.query = query
        view.save(update_fields=["query"])
    else:
        if views_of(user).count() >= MAX_VIEWS:
            raise ServiceError(f"You have {MAX_VIEWS} saved views; delete one first.")
        try:
            with transaction.atomic():
                view = SavedView.objects.create(user=user, name=name, query=query)
        except IntegrityError as error:
            raise Conflict("A view of that name was saved meanwhile; try again.") from error
    record(
        "request.saved_view_changed",
        obj=view,
        before=before,
        after={"name": view.name, "query": view.query},
    )
    return view


@transaction.atomic
def delete(user, view: SavedView) -> None:
    view = SavedView.objects.select_for_update().filter(pk=view.pk).first()
    if view is None:
        raise Conflict("This view was already deleted.")
    if view.user_id != user.pk:
        raise NotAllowed("This is not your saved view.")
    record(
        "request.saved_view_changed",
        obj=view,
        before={"name": view.name, "query": view.query},
        after=None,
    )
    view.delete()
