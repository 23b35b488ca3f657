"""Command-line conventions an Ansible user expects, asserted on the real `communelan` command
(a subprocess) or, where a lab in this process is needed, typer's CliRunner on the same app."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from nornir_config.cli import app, hoist_global_options
from nornir_config.cli.push import outcome_counts, push_exit_code
from nornir_config.filters import limit_matches
from nornir_config.project import open_project
from tests.cli.conftest import PushEnv
from tests.conftest import REPO, TEST_SECRETS, province_root
from tests.push.conftest import CODE

ESC = "\x1b"


def cli(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "nornir_config", *args]
    full = {**os.environ, **(env or {})}
    return subprocess.run(
        command, capture_output=True, text=True, timeout=120, env=full, cwd=cwd or province_root()
    )


def test_version() -> None:
    result = cli("--version")
    assert result.returncode == 0
    assert re.fullmatch(r"communelan \d+\.\d+\.\d+\S*\n", result.stdout)


def test_global_options_after_the_subcommand(tmp_path: Path) -> None:
    root = str(province_root())
    after = cli("inventory", "--format", "json", "--root", root, "--lab", cwd=tmp_path)
    before = cli("--root", root, "--lab", "inventory", "--format", "json", cwd=tmp_path)
    assert after.returncode == 0, after.stderr
    assert after.stdout == before.stdout and '"an-nong-15766-rt01"' in after.stdout
    assert hoist_global_options(["run", "x.yaml", "--root=/p", "--", "--lab"]) == [
        "--root=/p",
        "run",
        "x.yaml",
        "--",
        "--lab",
    ]


@pytest.mark.parametrize(
    "command",
    [["push"], ["run"], ["compliance"], ["lint"], ["backup"], ["render"], ["lab", "up"], []],
)
def test_help_has_no_bool_placeholder(command: list[str]) -> None:
    result = cli(*command, "--help", env={"COLUMNS": "120"})
    assert result.returncode == 0, result.stderr
    assert "<bool>" not in result.stdout and "--help" in result.stdout


SHARED_HELP = {
    "--workers": "Parallel devices.",
    "--canary": "Change N devices first; stop if any fails.",
    "--max-failures": "Stop once N devices failed.",
    "--accept-new-host-keys": "Trust unknown (never changed) keys.",
}


@pytest.mark.parametrize("command", [["push"], ["apply"], ["restore"]])
def test_commands_that_change_devices_share_their_options(command: list[str]) -> None:
    result = cli(*command, "--help", env={"COLUMNS": "200", "NO_COLOR": "1"})
    assert result.returncode == 0, result.stderr
    rows = {
        line.split()[1]: " ".join(line.strip("│ ").split())
        for line in result.stdout.splitlines()
        if line.strip("│ ").startswith("--")
    }
    for option, text in SHARED_HELP.items():
        assert option in rows and text in rows[option], (option, rows.get(option))


def test_no_color_removes_every_escape_code(tmp_path: Path) -> None:
    # FORCE_COLOR makes rich style output even in a pipe; NO_COLOR must still win, bold too.
    args = ["compliance", "--filter", "code=15766", "--from-backup", "--backups", str(tmp_path)]
    args += ["--out", str(tmp_path / "out"), "--format", "json"]
    styled = cli(*args, env={"FORCE_COLOR": "1", "TERM": "xterm-256color"})
    assert ESC in styled.stderr  # the check can fail: styles are there without NO_COLOR
    plain = cli(*args, env={"FORCE_COLOR": "1", "TERM": "xterm-256color", "NO_COLOR": "1"})
    assert "unknown an-nong-15766-rt01" in plain.stderr
    assert ESC not in plain.stderr + plain.stdout
    helped = cli("push", "--help", env={"FORCE_COLOR": "1", "NO_COLOR": "1"})
    assert ESC not in helped.stdout and "--check" in helped.stdout


def test_columns_is_honoured() -> None:
    narrow = cli("ipplan", "--filter", "code=15766", env={"COLUMNS": "70"})
    wide = cli("ipplan", "--filter", "code=15766", env={"COLUMNS": "160"})
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 70
    assert max(len(line) for line in wide.stdout.splitlines()) > 70


def test_inventory_and_ipplan_csv_have_a_bom() -> None:
    for command in (["inventory"], ["ipplan"]):
        result = subprocess.run(
            [sys.executable, "-m", "nornir_config", *command, "--format=csv", "-f", "code=15766"],
            capture_output=True,
            timeout=120,
            cwd=province_root(),
        )
        assert result.returncode == 0, result.stderr
        assert result.stdout.startswith(b"\xef\xbb\xbf")
        text = result.stdout.decode("utf-8-sig")
        assert "Xã An Nông" in text and text.count("\r\n") >= 3


def test_limit_reads_as_ansible_host_patterns(at_root: None) -> None:
    hosts = open_project(["code=15766,16171"], connections=False).nr.inventory.hosts

    def selected(pattern: str) -> set[str]:
        return {name for name, host in hosts.items() if limit_matches(host, pattern)}

    every = set(hosts)
    assert selected("an-nong-15766-rt01") == {"an-nong-15766-rt01"}
    assert selected("*-rt01") == {h for h in every if h.endswith("-rt01")}
    assert selected("phuong") == {h for h in every if "phuong" in hosts[h].data["groups"]}
    assert selected("an-nong-*,!*-sw02") == {"an-nong-15766-rt01", "an-nong-15766-sw01"}
    assert selected("*-sw0*:&an-nong-*") == {"an-nong-15766-sw01", "an-nong-15766-sw02"}
    assert selected("!*-rt01") == {h for h in every if not h.endswith("-rt01")}
    nothing = cli("push", "--check", "--limit", "nope-*")
    assert nothing.returncode == 2 and "error: --limit: nope-*: matches no device" in nothing.stderr


def invoke(*args: str) -> tuple[int, str]:
    """The app in this process (the lab runs in a thread here), one commune selected."""
    argv = hoist_global_options([*args, "--filter", f"code={CODE}"])
    result = CliRunner().invoke(app, argv)
    if result.exception and not isinstance(result.exception, SystemExit):
        raise result.exception
    return result.exit_code, result.output


def test_check_diff_and_exit_codes_on_the_lab(push_env: PushEnv, tmp_path: Path) -> None:
    root = str(push_env.root)
    rt, *switches = push_env.names
    code, out = invoke("push", "--check", "--diff", "--root", root, "--lab")
    assert code == 4, out  # changes pending
    assert f"would change ({', '.join(push_env.names)})" in out
    assert "--- running" in out and "+++ intended" in out
    assert "+snmp-server community <removed> RO" in out  # the test change, its secret hidden
    assert not any(secret in out for secret in TEST_SECRETS.values())
    assert all(push_env.is_before(n) for n in push_env.names)  # nothing was sent
    code, out = invoke("push", "--dry-run", "--limit", f"*,!{rt}", "--root", root, "--lab")
    assert code == 4 and rt not in out and switches[0] in out
    code, out = invoke("push", "--first", "1", "--limit", rt, "--root", root, "--lab")
    assert code == 0, out
    assert f"1 changed ({rt})" in out
    code, out = invoke("push", "--check", "--limit", rt, "--root", root, "--lab")
    assert code == 0 and f"1 unchanged ({rt})" in out  # nothing pending: a plain 0

    book = tmp_path / "repair.yaml"
    book.write_text(
        "name: repair\nsteps:\n  - kind: push\n    name: what would change\n"
        "    options: {dry_run: true}\n  - kind: backup\n  - kind: push\n",
        encoding="utf-8",
    )
    code, out = invoke("run", str(book), "--check", "--limit", switches[0], "--root", root, "--lab")
    assert code == 4, out
    assert f"1. what would change: ok 1 would change ({switches[0]})" in out
    assert f"--- {switches[0]}: would send" in out  # the commands, before any push
    assert "2. backup: ok skipped (--check)" in out
    assert push_env.is_before(switches[0])
    code, out = invoke("run", str(book), "--diff", "--limit", switches[0], "--root", root, "--lab")
    assert code == 0, out
    assert f"3. push: ok 1 changed ({switches[0]})" in out
    assert f"--- {switches[0]} (changed)" in out and "+++ intended" in out
    assert push_env.is_intended(switches[0])


def test_progress_bar_counts_what_the_summary_counts(
    push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A rolled-back device is "Failed" on nornir_rich's bar (the real one, on a pretend
    terminal), as in the summary, and the exit code is 1."""
    from nornir_rich import progress_bar

    bars: list[progress_bar.RichProgressBar] = []

    class RecordedBar(progress_bar.RichProgressBar):
        def __init__(self) -> None:
            super().__init__()
            bars.append(self)

    monkeypatch.setattr(progress_bar, "RichProgressBar", RecordedBar)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    victim, *others = push_env.names
    push_env.lab.set_faults(victim, reject_commands=["^ip domain name"])
    run = push_env.push(progress=True)  # what `communelan push` runs
    assert push_exit_code(run, dry_run=False) == 1
    assert f"1 rolled back ({victim})" in outcome_counts(run)
    # one bar per wave (farthest from the NOC first); together they count every device once
    assert bars
    status: dict[str, float] = {}
    for bar in bars:
        for t in bar.progress_status.tasks:
            status[t.description] = status.get(t.description, 0) + t.completed
    assert status["[red]Failed:"] == 1
    assert status["[green]Successful:"] == len(others)


def test_config_yaml_paths_are_relative_to_the_file(tmp_path: Path) -> None:
    """As config.yaml says: hosts_dir and templates_dir are read from the file's folder, not
    from the current directory (here another folder altogether)."""
    root = tmp_path / "project"
    (root / "sot").mkdir(parents=True)
    shutil.copytree(province_root() / "hosts", root / "sot" / "hosts")
    shutil.copytree(REPO / "templates", root / "sot" / "tpl")
    text = (REPO / "config.yaml").read_text("utf-8")
    text = text.replace("hosts_dir: hosts", "hosts_dir: sot/hosts")
    text = text.replace("templates_dir: templates", "templates_dir: sot/tpl")
    (root / "config.yaml").write_text(text, encoding="utf-8")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    listed = cli("--root", str(root), "inventory", "--format", "json", cwd=elsewhere)
    assert listed.returncode == 0, listed.stderr
    assert '"an-nong-15766-rt01"' in listed.stdout
    out = tmp_path / "intended"
    rendered = cli("render", "-f", "code=15766", "--out", str(out), "--root", str(root))
    assert rendered.returncode == 0, rendered.stderr
    assert (out / "an-nong-15766-rt01.cfg").is_file()
