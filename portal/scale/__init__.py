"""A large, realistic installation for benchmarks, written with bulk inserts.

``seed_scale`` calls ``runner.seed``; each module builds one concern (people, catalog,
releases, partner requests, the audit trail) and adds to whatever the database holds.
"""
