from portal.models.catalog import Album, Asset, AssetVersion
from portal.models.communities import Community, Contact, Membership, Partner, RegionGrant
from portal.models.jobs import JobRun
from portal.models.publications import Publication

__all__ = [
    "Album",
    "Asset",
    "AssetVersion",
    "Community",
    "Contact",
    "JobRun",
    "Membership",
    "Partner",
    "Publication",
    "RegionGrant",
]
