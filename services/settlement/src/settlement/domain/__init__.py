"""Settlement rules (DOMAIN.md D-S, settlement arithmetic): plain Python, no framework."""
