"""Fixtures for compliance tests: one commune's devices, their intended configs and secrets."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import pytest

from nornir_config.compliance.features import Feature, device_features
from nornir_config.compliance.secrets import TokenVerifier
from nornir_config.context import device_context
from nornir_config.lab.testing import lab, lab_factory
from nornir_config.project import Project, open_project
from nornir_config.render import run_render
from nornir_config.secrets import Secrets

__all__ = ["lab", "lab_factory"]

CODE = "15766"  # Xã An Nông: one router, a core and an access switch


@dataclass
class Commune:
    project: Project
    secrets: Secrets
    intended: dict[str, str]

    def features(self, host: str) -> tuple[Feature, ...]:
        device = self.project.province.device(host)
        context = device_context(device, self.project.province.defaults, self.secrets)
        return device_features(device.driver, device.role, context)

    def verifier(self) -> TokenVerifier:
        return TokenVerifier(self.secrets)

    def host(self, suffix: str) -> str:
        return next(h for h in self.intended if h.endswith(suffix))


@pytest.fixture
def commune(at_root: None, test_secrets: Secrets) -> Iterator[Commune]:
    project = open_project([f"code={CODE}"])
    summary = run_render(
        project.nr, project.province, test_secrets, project.settings.templates_dir, None
    )
    yield Commune(project, test_secrets, summary.configs)
