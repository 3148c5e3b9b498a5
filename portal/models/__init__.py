from portal.models.catalog import Album, Asset, AssetVersion
from portal.models.communities import Community, Contact, Membership, Partner, RegionGrant
from portal.models.jobs import JobRun
from portal.models.kits import Kit, KitReminder
from portal.models.notifications import NotificationOptOut
from portal.models.onboarding import Acknowledgement, Enrollment, FollowUp, OnboardingProgram
from portal.models.publications import Publication
from portal.models.releases import Release, ReleaseItem, Review
from portal.models.usage import AssetUsage, UsageDaily, UsageFields, UsageTotal

__all__ = [
    "Acknowledgement",
    "Album",
    "Asset",
    "AssetUsage",
    "AssetVersion",
    "Community",
    "Contact",
    "Enrollment",
    "FollowUp",
    "JobRun",
    "Kit",
    "KitReminder",
    "Membership",
    "NotificationOptOut",
    "OnboardingProgram",
    "Partner",
    "Publication",
    "RegionGrant",
    "Release",
    "ReleaseItem",
    "Review",
    "UsageDaily",
    "UsageFields",
    "UsageTotal",
]
