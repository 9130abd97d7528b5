"""Acting on a stall alert from its email: a signed link per flag, the page it opens, the form's
POST (acknowledge or snooze, through tracker.flags.service as the recipient). SECURITY.md gives
the threat model of these capability links."""
