"""Audit actions of the portal core."""

from audit.registry import register

register("grant.community_granted", "Community access granted")
register("grant.community_revoked", "Community access revoked")
register("grant.region_granted", "Region access granted")
register("grant.region_revoked", "Region access revoked")
