"""What a release tells the rest of the portal.

``release_moved`` is sent inside the transaction of every state change, under the release's
row lock, so that whatever follows a release (e.g. the partner request it delivers) changes
together with it.
"""

from django.dispatch import Signal

release_moved = Signal()  # release: Release, before: str, after: str
