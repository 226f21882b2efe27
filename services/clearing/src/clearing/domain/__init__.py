"""Clearing rules (DOMAIN.md, money between regions): plain Python, no framework."""
