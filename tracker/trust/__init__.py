"""Trust: risk tiers and the eight risk-management practices that high-impact systems need."""
