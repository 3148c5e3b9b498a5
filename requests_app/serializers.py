"""Partner request representations for ``/api/v1/requests/``: what is read, and what a script
may send.

Writes are validated here for shape only (types, dates, names of people and assets); the
services decide everything else and their refusals become ``{"detail": ...}`` responses.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from integrations.tradinggrid.bodies import publication_url
from portal.models import Asset, Publication, Release
from portal.releases.serializers import (
    AssetRefSerializer,
    CommunityRefSerializer,
    PartnerRefSerializer,
)
from requests_app import routing, sla
from requests_app.filters import STANDING
from requests_app.models import PartnerRequest, RequestComment, StatusLink

DAYS = "How long the link works; the portal's default when left out."
STANDINGS = [*STANDING, ("", "Finished, or no due date")]


class DeliveryReleaseSerializer(serializers.ModelSerializer):
    state = serializers.CharField(
        read_only=True, help_text="The release's state, as /api/v1/releases/ shows it."
    )

    class Meta:
        model = Release
        fields = ["id", "name", "state"]
        read_only_fields = fields


class DeliveredFileSerializer(serializers.ModelSerializer):
    """A file the partner can open in Trading Grid: a live publication of the delivery release."""

    name = serializers.CharField(source="asset.name", read_only=True)
    asset = serializers.IntegerField(source="asset_id", read_only=True)
    tg_publication_id = serializers.CharField(source="tg_id", read_only=True)
    community = CommunityRefSerializer(read_only=True)
    url = serializers.SerializerMethodField()

    class Meta:
        model = Publication
        fields = [
            "id",
            "name",
            "asset",
            "version_no",
            "tg_publication_id",
            "community",
            "published_at",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, publication: Publication) -> str:
        return publication_url(publication)


def delivered(request: PartnerRequest) -> list[Publication]:
    """The delivered files, from the prefetch of the listing when it was made."""
    if request.delivery_release_id is None:
        return []
    prefetched = getattr(request.delivery_release, "live_publications", None)
    return prefetched if prefetched is not None else routing.delivered_files(request)


class PartnerRequestSerializer(serializers.ModelSerializer):
    reference = serializers.CharField(read_only=True, help_text="REQ-<id>, as partners see it.")
    community = CommunityRefSerializer(read_only=True)
    partner = PartnerRefSerializer(read_only=True, allow_null=True)
    owner = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    standing = serializers.SerializerMethodField()
    assets = AssetRefSerializer(many=True, read_only=True)
    work_asset = AssetRefSerializer(
        read_only=True, allow_null=True, help_text="The Canto file that answers the request."
    )
    delivery_release = DeliveryReleaseSerializer(read_only=True, allow_null=True)
    delivered_files = serializers.SerializerMethodField()
    search_terms = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = PartnerRequest
        fields = [
            "id",
            "reference",
            "tg_id",
            "community",
            "partner",
            "kind",
            "subject",
            "description",
            "locale",
            "priority",
            "state",
            "tg_status",
            "owner",
            "due_at",
            "standing",
            "received_at",
            "state_changed_at",
            "delivered_at",
            "closed_at",
            "assets",
            "search_terms",
            "canto_album_id",
            "canto_album_name",
            "work_asset",
            "delivery_release",
            "delivered_files",
            "rejection_reason",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=STANDINGS))
    def get_standing(self, request: PartnerRequest) -> str:
        known = self.context.get("standings")
        if known is not None and request.pk in known:
            return known[request.pk]
        return sla.standing(request)

    @extend_schema_field(DeliveredFileSerializer(many=True))
    def get_delivered_files(self, request: PartnerRequest) -> list[dict]:
        return DeliveredFileSerializer(delivered(request), many=True, context=self.context).data


class CommentSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author_name", read_only=True)
    internal = serializers.SerializerMethodField(help_text="Seen by staff only, not the partner.")

    class Meta:
        model = RequestComment
        fields = [
            "id",
            "origin",
            "author",
            "author_type",
            "visibility",
            "internal",
            "body",
            "created_at",
        ]
        read_only_fields = fields

    def get_internal(self, comment: RequestComment) -> bool:
        return not comment.is_public


class StatusLinkSerializer(serializers.ModelSerializer):
    """A status link as staff see it: never its token, nor the token's hash."""

    active = serializers.BooleanField(source="is_active", read_only=True)
    created_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    revoked_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = StatusLink
        fields = [
            "id",
            "hint",
            "active",
            "created_by",
            "created_at",
            "expires_at",
            "revoked_at",
            "revoked_by",
            "views",
            "last_viewed_at",
        ]
        read_only_fields = fields


class IssuedLinkSerializer(StatusLinkSerializer):
    url = serializers.URLField(
        read_only=True, help_text="The partner's status page; shown now and never again."
    )
    token_shown_once = serializers.BooleanField(read_only=True)

    class Meta(StatusLinkSerializer.Meta):
        fields = ["url", "token_shown_once", *StatusLinkSerializer.Meta.fields]
        read_only_fields = fields


class DeliveredSerializer(serializers.Serializer):
    release = DeliveryReleaseSerializer(help_text="The release submitted to deliver the file.")
    request = PartnerRequestSerializer()


class QueuedSerializer(serializers.Serializer):
    detail = serializers.CharField()


# What a script sends ---------------------------------------------------------------------------


class UsernameField(serializers.SlugRelatedField):
    """A person by username; text no username can hold (a NUL) is refused before the lookup,
    which PostgreSQL would answer with an error."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            raise serializers.ValidationError("Null characters are not allowed.")
        return super().to_internal_value(data)


def _person(**kwargs) -> serializers.SlugRelatedField:
    return UsernameField(slug_field="username", queryset=get_user_model().objects.all(), **kwargs)


class TriageSerializer(serializers.Serializer):
    owner = _person(
        required=False,
        allow_null=True,
        help_text="Username of a manager of the request's community; you when left out.",
    )
    due_at = serializers.DateTimeField(
        required=False,
        allow_null=True,
        help_text="Left out: the service level of the request's kind decides.",
    )


class AssignSerializer(serializers.Serializer):
    owner = _person(help_text="Username of a manager of the request's community.")


class DueSerializer(serializers.Serializer):
    due_at = serializers.DateTimeField()
    reason = serializers.CharField(max_length=2000)


class QuestionSerializer(serializers.Serializer):
    question = serializers.CharField(
        max_length=10_000, help_text="Posted to the partner as a public comment."
    )


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class AnswerSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=10_000, help_text="The answer the partner receives.")


class DeliverSerializer(serializers.Serializer):
    asset = serializers.PrimaryKeyRelatedField(
        queryset=Asset.objects.all(),
        required=False,
        allow_null=True,
        help_text="Id of a catalog asset; left out: the file that arrived for the request.",
    )


class CommentWriteSerializer(serializers.Serializer):
    body = serializers.CharField(max_length=10_000)
    internal = serializers.BooleanField(
        default=False, help_text="True: staff only; false: the partner sees it in Trading Grid."
    )


class IssueLinkSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=DAYS,
    )
    revoke_others = serializers.BooleanField(
        default=False, help_text="Revoke the request's other links first."
    )


class SendLinkSerializer(serializers.Serializer):
    days = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text=DAYS,
    )
