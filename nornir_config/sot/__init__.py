"""The source of truth: hosts/ (defaults, groups, communes) validated and expanded into devices."""
