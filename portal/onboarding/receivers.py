"""What onboarding does when partners join or leave a community and when they acknowledge.

Both signals are sent inside the writer's transaction (the partner sync, usage ingestion), so
an enrollment and its publishing commit with the membership that caused them.
"""

from django.dispatch import receiver

from portal.communities.signals import membership_changed
from portal.onboarding import acknowledgements, actions, enrollments  # noqa: F401  (registers)
from portal.usage.signals import acknowledgement_read


@receiver(membership_changed, dispatch_uid="onboarding.membership_changed")
def on_membership_changed(sender, partner, community, joined: bool, **kwargs) -> None:
    if joined:
        enrollments.enroll_joined(partner, community)
    else:
        enrollments.leave(partner, community)


@receiver(acknowledgement_read, dispatch_uid="onboarding.acknowledgement_read")
def on_acknowledgement_read(sender, publication, partner, total, **kwargs) -> None:
    acknowledgements.acknowledgement_read(publication, partner, total)
