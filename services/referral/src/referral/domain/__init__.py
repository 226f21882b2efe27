"""Referral rules (DOMAIN.md D-R): plain Python, no framework."""
