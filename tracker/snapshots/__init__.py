"""Frozen council packs: the trend and the portfolio report as they read when made."""
