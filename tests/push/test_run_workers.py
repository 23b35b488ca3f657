"""How many devices a rollout has in flight, and how it counts their failures, in-process
against one commune's office in the lab (Hac Thanh: router rt01, core sw01, access switches
sw02 and sw03 side by side, cabled as hosts/ says), with the real Netmiko: the worker count
comes from --workers, else from config.yaml's runner (Nornir's `num_workers`), else 20; every
device that fails counts towards --max-failures; a device behind a changed one that did not
answer before the change is not that change's fault; and each device is journaled before its
change with what `communelan recover` needs.

A guard that refuses every device after reading it makes devices fail untouched, so most of
this needs no push of a config: each device either stays untouched or is never started."""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from netmiko import ConnectHandler

from nornir_config.cli.lab import inventory_specs
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.project import open_project
from nornir_config.push import PushOptions, PushRun, journal, run_push
from nornir_config.push.state import Outcome
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import REPO, province_root

CODE = "14797"
ROUTER, CORE = f"hac-thanh-{CODE}-rt01", f"hac-thanh-{CODE}-sw01"
ACCESS = [f"hac-thanh-{CODE}-sw02", f"hac-thanh-{CODE}-sw03"]  # one wave: the farthest
NOT_STARTED = "not started: {} devices failed (--max-failures)"


class Office:
    def __init__(self, root: Path, lab: RunningLab) -> None:
        self.root, self.lab = root, lab

    def runner(self, options: dict[str, int] | None) -> None:
        """config.yaml as the repository's, with these runner options (None: no runner)."""
        config = yaml.safe_load((REPO / "config.yaml").read_text(encoding="utf-8"))
        config.pop("runner")
        if options is not None:
            config["runner"] = {"plugin": "threaded", "options": options}
        text = yaml.safe_dump(config, sort_keys=False)
        (self.root / "config.yaml").write_text(text, encoding="utf-8")

    def push(self, filters: list[str] | None = None, **options: Any) -> PushRun:
        set_run_settings(RunSettings(root=self.root, lab=True))
        project = open_project([f"code={CODE}", *(filters or [])])
        return run_push(project, PushOptions(**options))


@pytest.fixture
def office(tmp_path: Path, lab_factory: LabFactory) -> Iterator[Office]:
    root = tmp_path / "root"
    root.mkdir()
    for item in ("hosts", "templates"):
        (root / item).symlink_to(province_root() / item)
    office = Office(root, lab=None)  # type: ignore[arg-type]
    office.runner({"num_workers": 20})
    previous = run_settings()
    specs = inventory_specs(RunSettings(root=root), [f"code={CODE}"])
    assert sorted(s.name for s in specs) == sorted([ROUTER, CORE, *ACCESS])
    office.lab = lab_factory(specs=specs)
    (root / ".lab").symlink_to(office.lab.lab_dir)
    yield office
    set_run_settings(previous)


def outcomes(run: PushRun) -> dict[str, tuple[Outcome, str]]:
    return {h: (r.outcome, r.reason if r.outcome == Outcome.SKIPPED else "") for h, r in
            run.reports.items()}  # fmt: skip


def refuse(host: str, running: str) -> None:
    """A guard that refuses every device after it was read: each one fails untouched."""
    raise OSError("refused by the test")


def test_workers_come_from_the_option_then_the_config_and_failures_all_count(
    office: Office,
) -> None:
    # the access switches answer slowly: one that starts while the other is in flight does so
    # long before the other fails
    office.lab.set_faults("hac-thanh-*-sw0[23]", latency=0.5)

    def first_wave(**options: Any) -> tuple[list[Outcome], PushRun]:
        run = office.push(guard=refuse, **options)
        return sorted(run.reports[h].outcome for h in ACCESS), run

    # config.yaml's one worker: the access switches go one at a time, and after the first
    # failed the second is not started
    office.runner({"num_workers": 1})
    one, run = first_wave(max_failures=1)
    assert one == [Outcome.FAILED, Outcome.SKIPPED]
    assert {outcomes(run)[h] for h in (CORE, ROUTER)} == {(Outcome.SKIPPED, NOT_STARTED.format(1))}
    skipped = next(h for h in ACCESS if run.reports[h].outcome == Outcome.SKIPPED)
    assert run.reports[skipped].reason == NOT_STARTED.format(1)

    # --workers 1 wins over config.yaml's 20
    office.runner({"num_workers": 20})
    assert first_wave(max_failures=1, workers=1)[0] == [Outcome.FAILED, Outcome.SKIPPED]
    # config.yaml's 20: both in flight at once, both fail
    both, run = first_wave(max_failures=1)
    assert both == [Outcome.FAILED, Outcome.FAILED]
    assert outcomes(run)[CORE] == (Outcome.SKIPPED, NOT_STARTED.format(2))

    # no runner in config.yaml: 20 workers; both failures count, so with --max-failures 2 the
    # core and the router are not started
    office.runner(None)
    both, run = first_wave(max_failures=2)
    assert both == [Outcome.FAILED, Outcome.FAILED]
    assert {outcomes(run)[h] for h in (CORE, ROUTER)} == {(Outcome.SKIPPED, NOT_STARTED.format(2))}
    assert run.stopped == "stopped: 2 devices failed (--max-failures)"
    for host in ACCESS:  # refused before any change
        assert "refused by the test" in run.reports[host].reason


def test_a_device_that_did_not_answer_before_is_not_the_changed_ones_fault(
    office: Office,
) -> None:
    """The access switches refuse every login: the core and the router behind which they sit
    are pushed and kept, the switches are not checked after their change."""
    office.lab.set_faults("hac-thanh-*-sw0[23]", refuse_connections=True)
    run = office.push()
    assert {h: run.reports[h].outcome for h in ACCESS} == dict.fromkeys(ACCESS, Outcome.UNREACHABLE)
    assert run.reports[CORE].outcome == Outcome.CHANGED, run.reports[CORE].reason
    assert run.reports[ROUTER].outcome == Outcome.CHANGED, run.reports[ROUTER].reason


def test_each_device_is_journaled_before_its_change_until_its_wave_is_reported(
    office: Office,
) -> None:
    """One worker: the second access switch's guard (right before its change) finds the
    first one's journal entry still there (entries end when their wave is reported), naming
    this run, this process, when it began and the files `communelan recover` works from."""
    build = office.root / "build"
    seen: dict[str, dict[str, journal.JournalEntry]] = {}

    def look(host: str, running: str) -> None:
        seen[host] = journal.entries(build)

    run = office.push(workers=1, guard=look)
    assert {r.outcome for r in run.reports.values()} == {Outcome.CHANGED}
    first, second = [h for h in seen if h in ACCESS]
    assert seen[first] == {}
    entry = seen[second][first]
    assert (entry.host, entry.run, entry.method, entry.pid) == (
        first,
        run.run_id,
        "merge",
        os.getpid(),
    )
    began = datetime.fromisoformat(entry.started)
    assert began.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - began) < timedelta(minutes=5)
    assert entry.before_file == str(build / "push" / run.run_id / "before" / f"{first}.cfg")
    assert Path(entry.before_file).is_file()
    assert entry.intended_file == str(build / "intended" / f"{first}.cfg")
    assert f"hostname {first}" in Path(entry.intended_file).read_text(encoding="utf-8")
    assert entry.device_file == "flash:communelan-before.cfg"
    assert journal.entries(build) == {}  # every device ended its push


def flash(office: Office, name: str) -> str:
    """`dir flash:` as the device answers it now, over a login of our own."""
    with ConnectHandler(**office.lab.netmiko_params(name)) as conn:
        return str(conn.send_command("dir flash:"))


def test_a_device_put_back_loses_its_copy_and_one_needing_attention_keeps_it(
    office: Office,
) -> None:
    """A factory switch (no revert timer to wait for) that refuses a line is rolled back: its
    report keeps why, and its pre-change copy is deleted. One whose session is cut at its first
    config line and that then refuses every login needs attention: its journal entry and its
    pre-change copy stay for `communelan recover`, and its report says nothing of deleting."""
    build = office.root / "build"
    refused, cut = ACCESS
    office.lab.set_faults(refused, reject_commands=["^ntp server"])
    try:
        run = office.push(filters=[f"host={refused}"])
    finally:
        office.lab.clear_faults(refused)
    report = run.reports[refused]
    assert report.outcome == Outcome.ROLLED_BACK, report.reason
    assert "invalid input at 'ntp server" in report.reason, report.reason
    assert "communelan-before.cfg" not in flash(office, refused)

    def cut_off(host: str, running: str) -> None:
        office.lab.set_faults(host, drop_after=0, refuse_connections=True)

    try:
        run = office.push(filters=[f"host={cut}"], guard=cut_off)
    finally:
        office.lab.clear_faults(cut)
    report = run.reports[cut]
    assert report.outcome == Outcome.NEEDS_ATTENTION, report.reason
    assert "pre-change copy" not in report.reason, report.reason
    assert sorted(journal.entries(build)) == [cut]
    assert "communelan-before.cfg" in flash(office, cut)
