"""The trend as CSV: one row per period, the per-period keys flattened with `_`
(`stages_pilot`, `moves_pilot_to_rollout`, `purgatory_at_end`, ...), from the trend as JSON (a
fresh one or a frozen pack's)."""

from collections.abc import Iterator


def _flat(prefix: str, value) -> Iterator[tuple[str, object]]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield from _flat(f"{prefix}_{key}" if prefix else key, inner)
    else:
        yield prefix, value


def _cell(value) -> object:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def trend_csv(trend: dict) -> tuple[list[str], list[list]]:
    """The header and the rows of the trend's CSV."""
    flattened = [dict(_flat("", period)) for period in trend["periods"]]
    header = list(flattened[0]) if flattened else []
    return header, [[_cell(row[name]) for name in header] for row in flattened]
