"""What usage ingestion tells the rest of the portal.

``acknowledgement_read`` is sent inside the ingestion's transaction when a partner's
acknowledgement status of a publication changed (acknowledged, declined, viewed, ...).
"""

from django.dispatch import Signal

acknowledgement_read = Signal()  # publication: Publication, partner: Partner, total: UsageTotal
