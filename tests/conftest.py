"""Shared fixtures: a project copy to break, and test secrets in a 0600 file."""

from __future__ import annotations

import atexit
import functools
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from nornir_config.secrets import FILE_ENV, load_secrets, write_secrets_file
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from nornir_config.sot.national import national_units
from nornir_config.sot.scaffold import init_hosts

# The device lab's fixtures (`lab`, `lab_factory`) for every test folder.
pytest_plugins = ["nornir_config.lab.testing"]

REPO = Path(__file__).resolve().parents[1]
# The tests' own provinces, generated from the bundled national list (never the shipped hosts/):
# Thanh Hóa (166 communes) and Quảng Ninh (54, two of them đặc khu).
THANH_HOA = ("38",)
QUANG_NINH = ("22",)


@functools.cache
def province_root(codes: tuple[str, ...] = THANH_HOA) -> Path:
    """A project root (templates/ and config.yaml of the repository) whose hosts/ is what
    `communelan init --province <codes>` writes; built once per test session."""
    root = Path(tempfile.mkdtemp(prefix=f"communelan-{'-'.join(codes)}-"))
    atexit.register(shutil.rmtree, root, ignore_errors=True)
    (root / "templates").symlink_to(REPO / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    init_hosts(root / "hosts", national_units(), codes, force=False)
    return root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The demo test first: it is the longest (a fresh venv and the whole province), so under
    `./run test`'s workers (pytest-xdist, work stealing) one worker starts it at once and the
    others take that worker's share of the rest."""
    items.sort(key=lambda item: not item.nodeid.startswith("tests/test_demo"))


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


@pytest.fixture(scope="session", autouse=True)
def _generated_province_by_default() -> Iterator[None]:
    """A test that names no project works on the generated province, never on the shipped
    hosts/ (only tests/sot/test_shipped.py reads that, by its path), so a fork whose hosts/
    holds another province keeps the suite green."""
    before = run_settings()
    set_run_settings(RunSettings(root=province_root()))
    yield
    set_run_settings(before)


@pytest.fixture(scope="session", autouse=True)
def _session_secrets(secrets_file: Path) -> Iterator[None]:
    """Module fixtures (a lab started once per module) see the tests' secrets store too."""
    before = os.environ.get(FILE_ENV)
    os.environ[FILE_ENV] = str(secrets_file)
    yield
    if before is None:
        os.environ.pop(FILE_ENV, None)
    else:
        os.environ[FILE_ENV] = before


@pytest.fixture(autouse=True)
def _secrets_env(secrets_file: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test sees the test secrets and nothing from the developer's own environment."""
    for key in list(os.environ):
        if key.startswith("COMMUNELAN_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("COMMUNELAN_SECRETS_FILE", str(secrets_file))


@pytest.fixture
def project_copy(tmp_path: Path) -> Path:
    """A copy of the generated province's hosts/, templates/ and config.yaml to break."""
    root = tmp_path / "project"
    root.mkdir()
    shutil.copytree(province_root() / "hosts", root / "hosts")
    shutil.copytree(REPO / "templates", root / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


@pytest.fixture
def at_root() -> Iterator[None]:
    """Run settings pointing at the generated province (restored afterwards)."""
    before = run_settings()
    set_run_settings(RunSettings(root=province_root()))
    yield
    set_run_settings(before)


@pytest.fixture
def test_secrets(secrets_file: Path):  # type: ignore[no-untyped-def]
    return load_secrets(secrets_file)


_OWN_PROCESS = "COMMUNELAN_TEST_IN_OWN_PROCESS"


def in_own_process(test: Callable[..., None]) -> Callable[..., None]:
    """Run a test that forks work across processes in a process of its own when this one runs
    other threads (a session's lab): the product then rightly declines to fork, and the test
    would not see the split it checks."""

    @functools.wraps(test)
    def run(*args: Any, **kwargs: Any) -> None:
        if threading.active_count() == 1 or os.environ.get(_OWN_PROCESS):
            test(*args, **kwargs)
            return
        node = os.environ["PYTEST_CURRENT_TEST"].rsplit(" ", 1)[0]
        proc = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", node],
            cwd=REPO,
            env={**os.environ, _OWN_PROCESS: "1"},
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]

    return run


def write_intended(root: Path, texts: Mapping[str, str]) -> dict[str, str]:
    """`texts` as the project's intended configs, dated after hosts/ and templates/ so that a
    push takes them as written (no re-render)."""
    out = root / "build" / "intended"
    out.mkdir(parents=True, exist_ok=True)
    future = time.time() + 3600
    for name, text in texts.items():
        (out / f"{name}.cfg").write_text(text, encoding="utf-8")
        os.utime(out / f"{name}.cfg", (future, future))
    return dict(texts)
