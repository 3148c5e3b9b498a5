"""``make chaos``: fault scenarios against real workers, Redis, PostgreSQL and the sandboxes.

Each scenario sends outbound operations and/or inbound events through the portal while a fault
is injected, waits until everything has converged, and reports sent, delivered, duplicated,
lost and dead-lettered counts and the time it took. Duplicated and lost must be 0.
"""
