"""Playbooks (backups in git, per driver, are `tests/push/test_drivers.py`)."""

from __future__ import annotations

from pathlib import Path

import pytest

from nornir_config.errors import InputError
from nornir_config.playbook import load_playbook, run_playbook
from tests.push.conftest import REPO, PushEnv


def test_shipped_playbooks_validate() -> None:
    for path in sorted((REPO / "playbooks").glob("*.yaml")):
        assert load_playbook(path).steps


def test_bad_playbook_is_input_error(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("name: x\nsteps:\n  - kind: deploy\n  - kind: push\n    colour: red\n")
    with pytest.raises(InputError) as caught:
        load_playbook(path)
    text = str(caught.value)
    assert "steps.0.kind" in text and "steps.1.colour" in text


def test_playbook_runs_push_and_backup(push_env: PushEnv, tmp_path: Path) -> None:
    path = tmp_path / "book.yaml"
    path.write_text(
        "name: t\nsteps:\n"
        "  - kind: backup\n"
        f"    options: {{repo: {tmp_path / 'b'}}}\n"
        "  - kind: push\n    options: {canary: 1}\n"
    )
    seen: list[tuple[str, bool]] = []
    push_env.project()  # sets the run settings the steps use
    ok = run_playbook(
        load_playbook(path), ["code=14797"], lambda label, r: seen.append((label, r.ok))
    )
    assert ok, seen
    assert [s[1] for s in seen] == [True, True]
    assert all(push_env.is_intended(n) for n in push_env.names)
