"""The console's reports: the portfolio report and the portfolio over time for the day, range and
filters a member of staff chooses, their CSV, and the frozen council packs (read by everyone
signed in, frozen by the CAIO office)."""
