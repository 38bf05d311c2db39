"""Security suites: hostile input, identity, privacy (issue 8, parts 2-4)."""
