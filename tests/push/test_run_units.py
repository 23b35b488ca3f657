"""A rollout's bookkeeping without a lab (fast enough for every mutant of `bench/mutation.py`):
option checks, which outcomes count as failed, the state a retry resumes from, a device a
killed run left mid-change, `--first`, the audit log and journal after each outcome, and the
signal handler that stops a rollout from starting more devices."""

from __future__ import annotations

import json
import os
import re
import signal
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from nornir.core.task import AggregatedResult, MultiResult, Result

from nornir_config.errors import InputError
from nornir_config.project import open_project
from nornir_config.push import journal
from nornir_config.push.lock import lock_devices
from nornir_config.push.run import (
    FAILURES,
    LOST,
    PushOptions,
    PushRun,
    _catch_signals,
    _merged_state,
    _report,
    check_options,
    run_push,
)
from nornir_config.push.state import STATE_FILE, DeviceReport, Outcome, save_state
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import REPO, province_root

CODE = "15766"  # Xã An Nông: a router, a core and an access switch


def test_every_bad_option_is_named_with_its_fix() -> None:
    with pytest.raises(InputError) as err:
        check_options(PushOptions(method="copy", canary=-1, max_failures=-2, first=0, workers=0))
    assert str(err.value).split("\n") == [
        "--method: copy: unknown method; fix: use merge or replace",
        "--canary: -1: must not be negative; fix: give 0 or more",
        "--max-failures: -2: must not be negative; fix: give 0 or more",
        "--first: 0: must be 1 or more; fix: e.g. 3",
        "--workers: 0: must be 1 or more; fix: e.g. 20",
    ]
    for method in ("merge", "replace"):
        check_options(PushOptions(method=method, canary=0, max_failures=0, first=1, workers=1))
    check_options(PushOptions())


def test_which_outcomes_fail_a_run_and_which_lose_the_device() -> None:
    assert set(FAILURES) == {
        Outcome.ROLLED_BACK,
        Outcome.FAILED,
        Outcome.UNREACHABLE,
        Outcome.NEEDS_ATTENTION,
    }
    assert set(LOST) == {Outcome.UNREACHABLE, Outcome.FAILED, Outcome.NEEDS_ATTENTION}
    run = PushRun("r")
    for n, outcome in enumerate(Outcome):
        run.reports[f"h{8 - n}"] = DeviceReport(f"h{8 - n}", outcome, "merge")
    assert run.failed == ["h2", "h3", "h4", "h5"]  # sorted; ROLLED_BACK..NEEDS_ATTENTION
    assert not run.ok
    clean = PushRun("r", {"a": DeviceReport("a", Outcome.CHANGED, "merge")})
    assert clean.ok and clean.failed == []
    clean.stopped = "stopped: canary device(s) failed: x"
    assert not clean.ok


def test_a_retry_keeps_the_earlier_runs_unfinished_devices_listed(tmp_path: Path) -> None:
    save_state(
        tmp_path,
        "old",
        {
            "a": DeviceReport("a", Outcome.FAILED, "merge"),
            "b": DeviceReport("b", Outcome.CHANGED, "merge"),
            "c": DeviceReport("c", Outcome.SKIPPED, "merge"),
        },
    )
    run = PushRun("new", {"a": DeviceReport("a", Outcome.CHANGED, "merge")})
    merged = _merged_state(tmp_path, run)
    assert sorted(merged) == ["a", "c"]
    assert merged["a"].outcome == Outcome.CHANGED
    assert (merged["c"].host, merged["c"].outcome, merged["c"].method, merged["c"].reason) == (
        "c",
        Outcome.SKIPPED,
        "",
        "not finished by an earlier run",
    )
    assert _merged_state(tmp_path / "none", run) == run.reports


def _results(reports: dict[str, object]) -> AggregatedResult:
    results = AggregatedResult("push (merge)")
    for host, value in reports.items():
        multi = MultiResult("push (merge)")
        if isinstance(value, BaseException):
            multi.append(Result(host=None, exception=value, failed=True))
        else:
            multi.append(Result(host=None, result=value))
        results[host] = multi
    return results


def _entry(build: Path, host: str) -> None:
    journal.begin(
        build,
        journal.JournalEntry(host, "run-0", "merge", 1, "now", "before", "flash:x", "intended"),
    )


def test_each_outcome_is_audited_and_leaves_the_journal_unless_it_needs_attention(
    tmp_path: Path,
) -> None:
    hosts = ["changed", "skipped", "attention", "crashed"]
    for host in hosts:
        _entry(tmp_path, host)
    reports = {
        "changed": DeviceReport("changed", Outcome.CHANGED, "replace", "", ["a", "b"]),
        "skipped": DeviceReport("skipped", Outcome.SKIPPED, "merge", "held"),
        "attention": DeviceReport("attention", Outcome.NEEDS_ATTENTION, "merge", "why", diff="-x"),
        "crashed": ValueError("bug"),
    }
    run, log = PushRun("run-1"), tmp_path / "audit.jsonl"
    _report(_results(reports), hosts, PushOptions(method="merge"), run, log)
    assert run.reports["crashed"].outcome == Outcome.NEEDS_ATTENTION
    assert run.reports["crashed"].reason == "internal error: ValueError('bug')"
    assert run.reports["crashed"].method == "merge" and run.reports["crashed"].host == "crashed"
    assert run.reports["changed"] is reports["changed"]
    assert sorted(journal.entries(tmp_path)) == ["attention", "crashed"]
    lines = [json.loads(line) for line in log.read_text(encoding="utf-8").splitlines()]
    assert [(x["device"], x["result"]) for x in lines] == [
        ("changed", "changed"),
        ("attention", "needs attention"),
        ("crashed", "needs attention"),
    ]
    first = lines[0]
    assert (first["run"], first["action"], first["method"], first["diff"]) == (
        "run-1",
        "push",
        "replace",
        "a\nb",
    )
    assert lines[1]["diff"] == "-x" and lines[1]["reason"] == "why"

    dry = tmp_path / "dry"
    _report(_results({"changed": reports["changed"]}), ["changed"], PushOptions(dry_run=True),
            PushRun("run-2"), dry / "audit.jsonl")  # fmt: skip
    assert not (dry / "audit.jsonl").exists()


def test_a_signal_stops_the_rollout_once_and_the_handlers_come_back() -> None:
    before = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM)}
    stop, run = threading.Event(), PushRun("r")
    restore = _catch_signals(stop, run)
    try:
        assert signal.getsignal(signal.SIGINT) not in (before[signal.SIGINT], None)
        assert signal.getsignal(signal.SIGTERM) is signal.getsignal(signal.SIGINT)
        os.kill(os.getpid(), signal.SIGTERM)
        assert stop.wait(5) and run.signal == signal.SIGTERM
        # a second signal acts as usual: the previous handlers are back at once
        assert {s: signal.getsignal(s) for s in before} == before
    finally:
        restore()
    assert {s: signal.getsignal(s) for s in before} == before
    restore2 = _catch_signals(stop, run)
    restore2()
    assert {s: signal.getsignal(s) for s in before} == before

    def elsewhere() -> None:
        _catch_signals(threading.Event(), PushRun("t"))()

    worker = threading.Thread(target=elsewhere)
    worker.start()
    worker.join()
    assert {s: signal.getsignal(s) for s in before} == before


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    """A project of its own (build/ empty) over the generated province."""
    base = province_root()
    root = tmp_path / "root"
    root.mkdir()
    (root / "hosts").symlink_to(base / "hosts")
    (root / "templates").symlink_to(REPO / "templates")
    (root / "config.yaml").symlink_to(base / "config.yaml")
    before = run_settings()
    set_run_settings(RunSettings(root=root))
    yield root
    set_run_settings(before)


def test_a_retry_needs_an_earlier_push_and_takes_only_its_unfinished_devices(root: Path) -> None:
    project = open_project([f"code={CODE}"], connections=False)
    with pytest.raises(InputError) as err:
        run_push(project, PushOptions(retry_failed=True))
    build = project.settings.build_dir
    assert str(err.value) == (
        f"{build / STATE_FILE}: --retry-failed: no earlier push to resume; "
        "fix: run communelan push first"
    )
    hosts = sorted(project.nr.inventory.hosts)
    save_state(build, "old", {h: DeviceReport(h, Outcome.CHANGED, "merge") for h in hosts})
    run = run_push(project, PushOptions(retry_failed=True))
    assert run.reports == {} and run.ok  # nothing unfinished: nothing touched
    assert not (build / "locks").exists()


def test_first_holds_the_rest_back_and_a_device_left_mid_change_is_not_touched(
    root: Path,
) -> None:
    project = open_project([f"code={CODE}"], connections=False)
    build = project.settings.build_dir
    hosts = sorted(project.nr.inventory.hosts)
    _entry(build, hosts[0])  # a killed run left it mid-change: nothing may reach it
    run = run_push(project, PushOptions(first=1))
    assert sorted(run.reports) == hosts and not run.ok
    assert run.failed == [hosts[0]]
    first = run.reports[hosts[0]]
    assert first.outcome == Outcome.NEEDS_ATTENTION and first.method == "merge"
    assert first.host == hosts[0]
    assert first.reason == (
        "was mid-change when run run-0 (pid 1) stopped; see and fix it with: communelan recover"
    )
    for host in hosts[1:]:
        held = run.reports[host]
        assert (held.host, held.method, held.outcome, held.reason) == (
            host,
            "merge",
            Outcome.SKIPPED,
            "held back by --first: push with --retry-failed",
        )
    state = json.loads((build / STATE_FILE).read_text(encoding="utf-8"))
    assert state["run"] == run.run_id
    assert state["devices"] == {h: run.reports[h].outcome.value for h in hosts}
    assert sorted(journal.entries(build)) == [hosts[0]]  # kept for recover
    assert not (build / "audit.jsonl").exists()
    assert (build / "intended" / f"{hosts[0]}.cfg").is_file()
    lock_devices(build, hosts).release()  # the run let go of its locks
    # a retry takes the held devices, and still will not touch the one mid-change
    again = run_push(project, PushOptions(retry_failed=True, first=1, method="replace"))
    assert again.reports[hosts[0]].outcome == Outcome.NEEDS_ATTENTION
    assert again.reports[hosts[0]].method == "replace"
    assert [again.reports[h].outcome for h in hosts[1:]] == [Outcome.SKIPPED] * (len(hosts) - 1)

    assert again.run_id != run.run_id
    assert re.fullmatch(r"\d{8}T\d{6}Z-[0-9a-f]{6}", again.run_id)
    assert json.loads((build / STATE_FILE).read_text(encoding="utf-8"))["run"] == again.run_id


def test_a_killed_run_that_saved_no_state_is_resumed_from_its_journal(
    root: Path, local_clock_off_utc: None
) -> None:
    project = open_project([f"code={CODE}"], connections=False)
    build = project.settings.build_dir
    hosts = sorted(project.nr.inventory.hosts)
    _entry(build, hosts[1])  # no push-state.json: only the journal names the device
    run = run_push(project, PushOptions(retry_failed=True))
    assert sorted(run.reports) == [hosts[1]]
    assert run.reports[hosts[1]].outcome == Outcome.NEEDS_ATTENTION
    # the run id's time is UTC (its `Z`), whatever the local clock says
    stamp = datetime.strptime(run.run_id[:16], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    assert abs(stamp - datetime.now(UTC)) < timedelta(minutes=5)
