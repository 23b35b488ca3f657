"""restore: a lab device back to a backup from before a push, with its real secrets."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from nornir_config.backup import git, run_backup
from nornir_config.change.restore import resolve, run_restore
from nornir_config.compliance.secrets import TokenVerifier, tokens
from nornir_config.connection import prepare_connections
from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.push import PushOptions
from nornir_config.push.state import Outcome
from nornir_config.secrets import load_secrets
from tests.change.conftest import PushEnv, out_of_band
from tests.conftest import TEST_SECRETS, write_intended


def _backup(env: PushEnv, host: str) -> str:
    project = env.project([f"host={host}"])
    prepare_connections(project.nr, project.settings)
    try:
        summary = run_backup(project.nr, env.root / "build" / "backups")
    finally:
        project.nr.close_connections()
    assert not summary.failed
    return summary.commit


def _secret_tokens(config: str) -> list[tuple[int, str]]:
    return [found for line in config.splitlines() for found in tokens(line, driver("cisco_ios"))[1]]


def test_restore_before_last_push_with_real_secrets(push_env: PushEnv) -> None:
    push_env.use_rendered()
    rt = next(n for n in push_env.names if n.endswith("rt01"))
    assert push_env.push([f"host={rt}"]).reports[rt].outcome == Outcome.CHANGED
    good = _backup(push_env, rt)
    rendered = push_env.intended[rt]
    changed = rendered.replace(
        "logging buffered", "logging console informational\nlogging buffered"
    )
    assert changed != rendered
    write_intended(push_env.root, {rt: changed})
    # Backups are git commits, stamped to the second: keep the backup, the push and the next
    # backup in different seconds, as an engineer's steps are (a finer order is not kept).
    time.sleep(1.1)
    assert push_env.push([f"host={rt}"]).reports[rt].outcome == Outcome.CHANGED
    assert "logging console informational" in push_env.running(rt)
    time.sleep(1.1)
    repo = push_env.root / "build" / "backups"
    assert _backup(push_env, rt) not in ("", good)
    backup = git(repo, "show", f"{good}:{rt}.cfg")
    assert "<removed>" in backup  # the backup holds no secret to restore from

    log = push_env.root / "build" / "audit.jsonl"
    latest = git(repo, "rev-parse", "HEAD").strip()
    assert resolve(repo, [rt], "2999-12-31", log) == {rt: latest}
    assert resolve(repo, [rt], latest[:12], log) == {rt: latest}
    dry = run_restore(
        push_env.project([f"host={rt}"]), "before-last-push", PushOptions(dry_run=True)
    )
    assert dry.revisions == {rt: good}
    assert dry.push is not None and dry.push.reports[rt].outcome == Outcome.WOULD_CHANGE
    assert "logging console informational" in dry.push.reports[rt].diff
    assert "logging console informational" in push_env.running(rt)  # nothing sent

    done = run_restore(push_env.project([f"host={rt}"]), "before-last-push", PushOptions())
    assert done.push is not None and done.push.reports[rt].outcome == Outcome.CHANGED, done.push
    _backup(push_env, rt)  # a backup after the restore reads exactly the good backup's text
    assert git(repo, "show", f"HEAD:{rt}.cfg") == backup
    running = push_env.running(rt)
    found = _secret_tokens(running)
    assert len(found) >= 4  # enable, admin, NTP and TACACS+ keys at least
    verifier = TokenVerifier(load_secrets())
    for kind, token in found:  # each hash/key on the device verifies against a real secret
        assert verifier.secret_of(kind, token) in TEST_SECRETS.values(), (kind, token)
    assert not (push_env.root / "build" / "restore").exists() or not any(
        (push_env.root / "build" / "restore").iterdir()
    )  # the configs with secret forms are gone


def test_restore_refuses_secrets_the_intended_config_lacks(push_env: PushEnv) -> None:
    rt = next(n for n in push_env.names if n.endswith("rt01"))
    out_of_band(push_env.lab, rt, ["username oob privilege 15 secret 0 Hand-Made-Pw1"])
    commit = _backup(push_env, rt)
    out_of_band(push_env.lab, rt, ["no username oob"])
    before = push_env.running(rt)
    with pytest.raises(InputError) as raised:
        run_restore(push_env.project([f"host={rt}"]), commit, PushOptions())
    assert len(raised.value.problems) == 1
    # (the lab keeps `secret 0` as typed; IOS-XE would store a type 9 hash: either is redacted)
    assert re.search(r"username oob privilege 15 secret \d <removed>", str(raised.value))
    assert "the intended config has no line with this secret" in str(raised.value)
    assert push_env.running(rt) == before
    with pytest.raises(InputError, match="no such backup commit"):
        run_restore(push_env.project([f"host={rt}"]), "deadbeef", PushOptions())
    with pytest.raises(InputError, match="no backup on or before 2001-01-01"):
        run_restore(push_env.project([f"host={rt}"]), "2001-01-01", PushOptions())


def test_restore_needs_a_backup_repository(push_env: PushEnv, tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no backup repository"):
        run_restore(push_env.project(), "before-last-push", PushOptions())
