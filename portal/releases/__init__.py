"""Releases: building, reviewing, publishing and withdrawing approved content for partners."""
