"""What a merge plans and reports before it touches a device, without a lab (fast enough for
every mutant of `bench/mutation.py`): the commands, the running lines kept on purpose and
the removals no compliance feature owns (both redacted), a device already as intended, and
one whose running config an earlier push verified. Run on the generated province's hosts
through Nornir, as a push does; the device-driving part runs against the lab
(tests/safety/test_promises.py, tests/push/test_verified.py)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from nornir.core.task import Result, Task

from nornir_config.platforms import driver
from nornir_config.project import open_project
from nornir_config.push.merge import PlannedChange, _result, fingerprints, planned_change
from nornir_config.push.state import DeviceReport, Outcome
from nornir_config.push.verified import RunningFingerprints, Verified, VerifiedConfigs
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import REPO, province_root

CODE = "15766"  # Xã An Nông: a router, a core and an access switch
CISCO = driver("cisco_ios")
# A brownfield device: `boot system` is the device's own (protected.yaml: kept), `alias` is
# owned by no compliance feature (features.yaml), the rest is managed.
BEFORE = (
    "hostname X\nboot system flash:c2960-s3cret.bin\nip domain name old.local\n"
    "logging host 192.0.2.50\nalias exec sh-s3cret show running-config\n"
)
INTENDED = "hostname X\nip domain name new.local\nlogging host 192.0.2.51\n"


def redact(text: str) -> str:
    return text.replace("s3cret", "<r>")


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
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


def _planned(
    before: str, intended: str, known: VerifiedConfigs | None = None
) -> dict[str, tuple[PlannedChange | None, DeviceReport]]:
    """planned_change on every host of the commune, each through its own Nornir task."""
    project = open_project([f"code={CODE}"], connections=False)
    found: dict[str, tuple[PlannedChange | None, DeviceReport]] = {}

    def task(t: Task) -> Result:
        report = DeviceReport(t.host.name, Outcome.UNCHANGED, "merge")
        found[t.host.name] = (planned_change(t, before, intended, report, redact, known), report)
        assert fingerprints(t).known == {}  # no push has recorded a device cipher yet
        return Result(host=t.host)

    project.nr.run(task=task, raise_on_error=True)
    return found


def test_the_plan_reports_kept_and_unowned_lines_redacted(root: Path) -> None:
    found = _planned(BEFORE, INTENDED)
    assert len(found) == 3
    for change, report in found.values():
        assert change is not None
        assert change.remediation.commands == [
            "no logging host 192.0.2.50",
            "no alias exec sh-s3cret show running-config",
            "ip domain name new.local",
            "logging host 192.0.2.51",
        ]
        assert change.preserve == [] and change.proven.known == {}
        assert report.protected == ["boot system flash:c2960-<r>.bin"]
        assert report.unowned == ["no alias exec sh-<r> show running-config"]
        assert (report.outcome, report.reason, report.verified) == (Outcome.UNCHANGED, "", "")


def test_a_device_already_as_intended_is_told_so_and_nothing_is_planned(root: Path) -> None:
    for change, report in _planned(INTENDED, INTENDED).values():
        assert change is None
        assert report.reason == "running config already as intended; nothing sent"
        assert report.verified == "" and report.protected == [] and report.unowned == []


def test_a_running_config_an_earlier_push_verified_needs_no_plan(root: Path) -> None:
    mine = RunningFingerprints.of_run({"snmp": "s3cret"}, "salt")
    fingerprint = mine.of(BEFORE, INTENDED, CISCO, [], {})
    host = f"an-nong-{CODE}-sw02"
    known = VerifiedConfigs(mine, {host: Verified(fingerprint, ("boot system flash:<r>",))})
    found = _planned(BEFORE, INTENDED, known)
    change, report = found.pop(host)
    assert change is None
    assert report.reason == "running config as an earlier push verified it; nothing sent"
    assert (report.protected, report.verified) == (["boot system flash:<r>"], fingerprint)
    for other, report in found.values():  # no entry of theirs: planned as usual
        assert other is not None and report.verified == "" and report.reason == ""
    # as intended, with fingerprints kept: the report carries the one to remember
    as_intended = mine.of(INTENDED, INTENDED, CISCO, [], {})
    for change, report in _planned(INTENDED, INTENDED, known).values():
        assert change is None and report.verified == as_intended


def test_a_result_is_a_change_when_the_device_was_touched(root: Path) -> None:
    project = open_project([f"host=an-nong-{CODE}-rt01"], connections=False)
    seen: dict[Outcome, Result] = {}

    def task(t: Task) -> Result:
        for outcome in Outcome:
            seen[outcome] = _result(
                t, DeviceReport(t.host.name, outcome, "merge"), time.perf_counter() - 1.23456
            )
        return Result(host=t.host)

    project.nr.run(task=task, raise_on_error=True)
    touched = {Outcome.CHANGED, Outcome.ROLLED_BACK, Outcome.NEEDS_ATTENTION}
    assert {o for o, r in seen.items() if r.changed} == touched
    for outcome, result in seen.items():
        assert result.host is not None and result.host.name == f"an-nong-{CODE}-rt01"
        assert result.result.outcome == outcome
        assert 1.234 <= result.result.seconds < 2 and round(result.result.seconds, 3) == (
            result.result.seconds
        )
