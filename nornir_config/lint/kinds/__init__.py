"""Every shipped check kind, registered on import."""

from nornir_config.lint.kinds import lines, project, province, references, zones
from nornir_config.lint.registry import KINDS

__all__ = ["KINDS", "lines", "project", "province", "references", "zones"]
