"""The public register as a website: the list, a page per system, the feed, the accessibility statement."""
