"""What the catalog sync tells the rest of the portal.

``catalog_changed`` is sent inside the sync's transaction with the assets whose version,
approval status, expiry, regulated flag or deletion changed, so that whatever reacts commits
or rolls back together with the change itself. ``assets_written`` follows it with every asset
the sync created or changed in any way (album membership included).
"""

from django.dispatch import Signal

catalog_changed = Signal()  # assets: list[Asset]
assets_written = Signal()  # created: list[Asset], updated: list[Asset]
