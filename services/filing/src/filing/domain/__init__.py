"""The filing rules (DOMAIN.md D-P, D-F): plain Python, no framework."""
