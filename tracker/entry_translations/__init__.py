"""Each register entry in the reader's language: a project's own text (written once, in its
`content_locale`) with translations into the other languages, and which of them a reader is shown."""
