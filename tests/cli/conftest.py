"""The push tests' in-process lab (one commune) for the command-line conventions."""

from __future__ import annotations

from tests.push.conftest import PushEnv, lab_factory, push_env

__all__ = ["PushEnv", "lab_factory", "push_env"]
