"""Backups in git (one commit per run, none when nothing changed, no secrets) and playbooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from nornir_config.backup import git, run_backup
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.playbook import load_playbook, run_playbook
from nornir_config.secrets import load_secrets
from tests.push.conftest import REPO, PushEnv


def test_backup_commits_only_changes_and_no_secrets(push_env: PushEnv, tmp_path: Path) -> None:
    repo = tmp_path / "backups"

    def backup() -> list[str]:
        project = push_env.project()
        prepare_connections(project.nr, project.settings)
        try:
            summary = run_backup(project.nr, repo)
        finally:
            project.nr.close_connections()
        assert not summary.failed
        return summary.changed

    assert sorted(backup()) == sorted(push_env.names)
    assert backup() == []  # volatile header lines changed, nothing else: no commit
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"

    push_env.push([f"host={push_env.names[0]}"])
    assert backup() == [push_env.names[0]]
    log = git(repo, "log", "--format=%s")
    assert push_env.names[0] in log.splitlines()[0]
    stored = "".join(p.read_text() for p in repo.glob("*.cfg"))
    assert "Last configuration change" not in stored
    for value in load_secrets().values.values():
        assert value not in stored
    assert "snmp-server community <removed> RO" in stored


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
