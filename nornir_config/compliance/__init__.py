"""Compliance: each device's running config against its intended one, per feature.

The modules are imported by name (`compliance.run`, `compliance.engine`, ...), not from here:
importing a light one (`compliance.fingerprints`, for render's manifest) must not load the
engine and the push code behind it.
"""
