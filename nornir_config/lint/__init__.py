"""Lint for CI: versioned rule packs over the inventory, the templates and the rendered configs."""

from nornir_config.lint.engine import LintReport, run_lint
from nornir_config.lint.model import Finding, Pack, Rule

__all__ = ["Finding", "LintReport", "Pack", "Rule", "run_lint"]
