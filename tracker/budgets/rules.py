"""A budget line's dates as pure rules (SPEC "Budget line"): when it entered the plan, when it was
approved. No Flask, no session: the API and a console form ask the same function."""

from dataclasses import dataclass
from datetime import date

from tracker.errors import Invalid

PLANNED_HAS_NO_APPROVAL = "A planned line has no approval date: send approved_on with status approved."
NOT_IN_FUTURE = "Must not be in the future."


@dataclass(frozen=True)
class BudgetDates:
    planned_on: date
    approved_on: date | None


def budget_dates(*, status: str, sent: dict, current: BudgetDates | None, today: date) -> BudgetDates:
    """The dates of a line that is (or becomes) `status`, from the `planned_on` / `approved_on` a
    request `sent` and the line's `current` dates (None: a new line); Invalid names the field.

    `planned_on` defaults to today, or to `approved_on` when only that is given; a planned line has
    no `approved_on` (a line set back to planned loses it); a line that is or becomes approved
    without one gets today. Neither is ever in the future, nor the approval before the planning.
    """
    sent_planned, sent_approved = sent.get("planned_on"), sent.get("approved_on")
    for name, day in (("planned_on", sent_planned), ("approved_on", sent_approved)):
        if day is not None and day > today:
            raise Invalid({name: NOT_IN_FUTURE})
    if status == "planned":
        if sent_approved is not None:
            raise Invalid({"approved_on": PLANNED_HAS_NO_APPROVAL})
        approved_on = None
    else:
        approved_on = sent_approved or (current.approved_on if current is not None else None) or today
    if sent_planned is not None:
        planned_on = sent_planned
    elif current is not None:
        planned_on = current.planned_on
    else:
        planned_on = sent_approved or today
    if approved_on is not None and approved_on < planned_on:
        # the field the request moved is the one in the wrong
        name = "planned_on" if sent_planned is not None and sent_approved is None else "approved_on"
        raise Invalid({name: f"The approval ({approved_on}) must not be before the planning ({planned_on})."})
    return BudgetDates(planned_on, approved_on)
