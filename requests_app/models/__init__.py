from requests_app.models.links import StatusLink
from requests_app.models.requests import (
    LocalisedVariant,
    PartnerRequest,
    RequestComment,
    SavedView,
    ServiceLevel,
)

__all__ = [
    "LocalisedVariant",
    "PartnerRequest",
    "RequestComment",
    "SavedView",
    "ServiceLevel",
    "StatusLink",
]
