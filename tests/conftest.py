"""Shared fixtures: a project copy to break, and test secrets in a 0600 file."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from nornir_config.secrets import load_secrets, write_secrets_file
from nornir_config.settings import RunSettings, run_settings, set_run_settings

# The device lab's fixtures (`lab`, `lab_factory`) for every test folder.
pytest_plugins = ["nornir_config.lab.testing"]

REPO = Path(__file__).resolve().parents[1]

TEST_SECRETS = {
    "enable_secret": "T3st-Enable-Secret",
    "password_admin": "T3st-Admin-Passw0rd",
    "ntp_key": "T3stNtpKey77",
    "snmp_auth_key": "T3stSnmpAuthKey",
    "snmp_priv_key": "T3stSnmpPrivKey",
    "tacacs_key": "T3stTacacsKey",
}


@pytest.fixture(scope="session")
def secrets_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_secrets_file(tmp_path_factory.mktemp("secrets") / "secrets.yaml", TEST_SECRETS)


@pytest.fixture(autouse=True)
def _secrets_env(secrets_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the test secrets and nothing from the developer's own environment."""
    for key in list(os.environ):
        if key.startswith("COMMUNELAN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COMMUNELAN_SECRETS_FILE", str(secrets_file))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of hosts/, templates/ and config.yaml that a test may break."""
    root = tmp_path / "project"
    root.mkdir()
    for name in ("hosts", "templates"):
        shutil.copytree(REPO / name, root / name)
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


@pytest.fixture
def at_root() -> Iterator[None]:
    """Run settings pointing at the repository (restored afterwards)."""
    before = run_settings()
    set_run_settings(RunSettings(root=REPO))
    yield
    set_run_settings(before)


@pytest.fixture
def test_secrets(secrets_file: Path):  # type: ignore[no-untyped-def]
    return load_secrets(secrets_file)
