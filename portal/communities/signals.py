"""What the partner sync tells the rest of the portal.

``membership_changed`` is sent inside the sync's transaction for each partner who joined or
left a community, so that what follows (an onboarding enrollment) commits with the change.
"""

from django.dispatch import Signal

membership_changed = Signal()  # partner: Partner, community: Community, joined: bool
