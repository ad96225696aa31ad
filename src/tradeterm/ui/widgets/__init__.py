"""One pane per file, each drawn from an engine view."""
