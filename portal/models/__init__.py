from portal.models.catalog import Album, Asset, AssetVersion
from portal.models.jobs import JobRun

__all__ = ["Album", "Asset", "AssetVersion", "JobRun"]
