"""Shares as the reports write them: a part of a whole, 4 decimals rounded half up, null of nothing."""

from decimal import ROUND_HALF_UP, Decimal

SHARE_PLACES = Decimal("0.0001")


def share(part: int, whole: int) -> float | None:
    """`part` ÷ `whole` to 4 decimals (half up), or None when `whole` is 0."""
    if whole == 0:
        return None
    return float((Decimal(part) / Decimal(whole)).quantize(SHARE_PLACES, rounding=ROUND_HALF_UP))
