"""Who may do what to a release, and which assets may be released."""

from __future__ import annotations

from portal.grants import communities_for
from portal.models import Asset, Release
from portal.releases.errors import NotAllowed, ReleaseError


def snapshot(asset: Asset) -> dict:
    """The facts about an asset a reviewer approves; kept to show what changed later."""
    return {
        "version": asset.version_no,
        "md5": asset.md5,
        "name": asset.name,
        "size": asset.size,
        "mime_type": asset.mime_type,
        "approval_status": asset.approval_status,
        "category": asset.category,
        "language": asset.language,
        "region": asset.region,
        "regulated": asset.regulated,
        "expires_at": asset.expires_at.isoformat() if asset.expires_at else None,
    }


def require_eligible(asset: Asset) -> None:
    problem = asset.eligibility_problem
    if problem:
        raise ReleaseError(f"{asset.name} cannot be released: {problem}.")


def acts_on_all(user, release: Release) -> bool:
    """Whether every community the release targets is granted to the person."""
    targeted = set(release.communities.values_list("pk", flat=True))
    if not targeted:
        return True
    return targeted <= set(
        communities_for(user).filter(pk__in=targeted).values_list("pk", flat=True)
    )


def require(user, permission: str, release: Release | None = None) -> None:
    """Refuse unless the person holds the role permission and every targeted community."""
    if not user.is_authenticated or not user.has_perm(f"portal.{permission}"):
        raise NotAllowed("Your role does not allow this.")
    if release is not None and not acts_on_all(user, release):
        raise NotAllowed("This release targets a community you may not act on.")


def require_communities(user, communities) -> None:
    allowed = set(communities_for(user).values_list("pk", flat=True))
    refused = [c.name for c in communities if c.pk not in allowed]
    if refused:
        raise NotAllowed(f"You may not act on {', '.join(sorted(refused))}.")


def has_regulated(release: Release) -> bool:
    return release.items.filter(asset__regulated=True).exists()


def may_skip_review(release: Release) -> bool:
    """A portal admin's policy on every targeted community, and no regulated asset at all."""
    communities = list(release.communities.all())
    return (
        bool(communities)
        and all(c.review_optional for c in communities)
        and not has_regulated(release)
    )
