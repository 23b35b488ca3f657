"""Bad input: exit code 2, one line naming the file or item, and nothing written.

Each case runs the real command line in a fresh project folder; "nothing written" is checked
by listing every file under the folder before and after."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import province_root
from tests.safety.conftest import REPO, make_root

CLI = [sys.executable, "-m", "nornir_config"]
ONE = "code=14797"


def _files(root: Path) -> dict[str, float]:
    return {
        str(p.relative_to(root)): p.stat().st_mtime
        for p in root.rglob("*")
        if p.is_file() and not p.is_symlink()
    }


def _run(
    root: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--root", str(root), *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


def _bad(root: Path, *args: str, env: dict[str, str] | None = None, says: str = "") -> str:
    before = _files(root)
    done = _run(root, *args, env=env)
    lines = done.stderr.strip().splitlines()
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert len(lines) == 1, done.stderr
    assert "Traceback" not in done.stderr and lines[0].startswith("error:"), done.stderr
    assert says in lines[0], lines[0]
    assert _files(root) == before, "bad input wrote files"
    return lines[0]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    return make_root(tmp_path)


def test_secrets_file_not_utf8(root: Path, tmp_path: Path) -> None:
    bad = tmp_path / "secrets.yaml"
    bad.write_bytes(b"enable_secret: caf\xe9\n")
    bad.chmod(0o600)
    _bad(root, "render", "-f", ONE, env={"COMMUNELAN_SECRETS_FILE": str(bad)}, says=str(bad))
    assert not (root / "build").exists()


def test_playbook_option_wrongly_typed_runs_no_step(root: Path) -> None:
    book = root / "book.yaml"
    book.write_text(
        "name: t\nsteps:\n  - kind: render\n  - kind: push\n    options: {canary: three}\n"
    )
    line = _bad(root, "run", str(book), "-f", ONE, says="steps.1.options.canary")
    assert str(book) in line
    assert not (root / "build").exists()  # step 1 (render) never ran


def test_playbook_option_value_out_of_range(root: Path) -> None:
    book = root / "book.yaml"
    book.write_text("name: t\nsteps:\n  - kind: render\n  - kind: push\n    options: {limit: 0}\n")
    _bad(root, "run", str(book), "-f", ONE, says="limit")
    assert not (root / "build").exists()


def test_broken_config_yaml(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    for name in ("hosts", "templates"):
        (root / name).symlink_to(province_root() / name)
    (root / "config.yaml").write_text("inventory:\n  plugin: [oops\n")
    _bad(root, "inventory", "-f", ONE, says="config.yaml")


def test_out_is_a_file(root: Path) -> None:
    target = root / "afile"
    target.write_text("keep me\n")
    _bad(root, "render", "-f", ONE, "--out", str(target), says=str(target))
    assert target.read_text() == "keep me\n"


def test_out_unwritable(root: Path) -> None:
    # /sys refuses new folders even to root (a chmod 500 folder would not stop root)
    _bad(root, "render", "-f", ONE, "--out", "/sys/communelan-out", says="/sys/communelan-out")


def test_out_under_a_file(root: Path) -> None:
    target = root / "afile"
    target.write_text("keep me\n")
    _bad(root, "render", "-f", ONE, "--out", str(target / "sub"), says="afile")


def test_template_error_writes_no_file(tmp_path: Path) -> None:
    root = tmp_path / "r"
    root.mkdir()
    (root / "hosts").symlink_to(province_root() / "hosts")
    (root / "config.yaml").symlink_to(REPO / "config.yaml")
    shutil.copytree(REPO / "templates", root / "templates")
    switch = root / "templates" / "cisco_ios" / "switch.j2"
    switch.write_text(switch.read_text() + "{{ no_such_variable }}\n")
    out = root / "build" / "intended"
    out.mkdir(parents=True)
    (out / "old.cfg").write_text("stale\n")
    _bad(root, "render", "-f", ONE, says="switch.j2")  # the router would render; no file is written
    assert sorted(p.name for p in out.iterdir()) == ["old.cfg"]


def test_lab_up_refuses_non_loopback(root: Path) -> None:
    _bad(root, "lab", "up", "-f", ONE, "--network", "192.0.2.1", says="loopback")
    assert not (root / ".lab").exists()


def test_lab_faults_file_bad_regex(root: Path) -> None:
    faults = root / "faults.yaml"
    faults.write_text("'*': {reject_commands: ['(unclosed']}\n")
    _bad(root, "lab", "up", "-f", ONE, "--faults", str(faults), says="does not compile")
    assert not (root / ".lab").exists()


def _fake_lab(root: Path) -> Path:
    """A .lab whose pid file names a live process that is not a lab (a lab that just died and
    whose pid was reused): no control socket answers."""
    lab = root / ".lab"
    lab.mkdir()
    (lab / "lab.pid").write_text(f"{os.getpid()}\n")
    return lab


def test_lab_status_of_a_dead_lab(root: Path) -> None:
    from nornir_config.lab.files import PIDFILE

    lab = _fake_lab(root)
    if PIDFILE != "lab.pid":
        (lab / "lab.pid").rename(lab / PIDFILE)
    _bad(root, "lab", "status", says="does not answer")


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("latency=abc", "latency"),
        ("drop_after=-1", "drop_after"),
        ("reject_commands=(x", "compile"),
    ],
)
def test_lab_fault_bad_values(root: Path, setting: str, says: str) -> None:
    from nornir_config.lab.files import PIDFILE

    lab = _fake_lab(root)
    if PIDFILE != "lab.pid":
        (lab / "lab.pid").rename(lab / PIDFILE)
    _bad(root, "lab", "fault", "*", "--set", setting, says=says)


def test_compliance_with_nothing_to_check_fails(root: Path) -> None:
    empty = root / "no-backups"
    empty.mkdir()
    done = _run(root, "compliance", "-f", ONE, "--from-backup", "--backups", str(empty))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "no device could be checked" in done.stdout + done.stderr
