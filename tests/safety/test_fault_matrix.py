"""Every lab fault x merge/replace x factory/brownfield/drift start: each device ends exactly
as it was or exactly as intended, with startup equal to running.

Verified independently: each device is read with our own Netmiko session and its lines are
compared with the lines it ran before the push and with the intended file, never through the
product's remediation; its flash holds no delivery file (a dropped session's included). One push run per method covers the whole matrix, one device per cell.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from nornir_config.connection import TIMEOUTS
from nornir_config.project import open_project
from nornir_config.push import Outcome, PushOptions, run_push
from nornir_config.settings import RunSettings, set_run_settings
from tests.safety.conftest import CODES, SafetyLab, paths

STARTS = ("factory", "brownfield", "drift")
FAULTS: list[dict[str, Any]] = [
    {},
    {"refuse_connections": True},
    {"reject_credentials": True},
    {"latency": 0.01},
    {"drop_after": 2},
    # a line only the change sends, whatever the start (LOGGING: the device's first intended
    # `logging host`; a device refusing a line it already runs could never be put back)
    {"reject_commands": ["LOGGING"]},
    {"fail_replace": True},
    {"flash_full": True},
    # a double fault: the device refuses the replace of its own copy and a change line; a
    # merge then could not put it back exactly, so it is not changed (before); a replace fails
    # as a whole and the device restores itself (before)
    {"fail_replace": True, "reject_commands": ["LOGGING"]},
]
REJECTED, FAIL_REPLACE, DOUBLE = FAULTS[5], FAULTS[6], FAULTS[8]
DELIVERY_FILE = "communelan-merge.cfg"
AS_BEFORE = (Outcome.ROLLED_BACK, Outcome.FAILED, Outcome.UNREACHABLE)
AS_INTENDED = (Outcome.CHANGED, Outcome.UNCHANGED)


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_fault_matrix(safety_lab: SafetyLab, method: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 8)  # a dropped session shows as a read timeout
    safety_lab.fresh_build()
    cells = [(fault, start) for fault in FAULTS for start in STARTS]
    assert len(cells) <= len(safety_lab.names)
    plan = dict(zip(safety_lab.names, cells, strict=False))
    before: dict[str, list[str]] = {}
    safety_lab.lab.clear_faults()
    for name, (_fault, start) in plan.items():
        before[name] = safety_lab.reset(name, start)
    for name, (fault, _start) in plan.items():
        if fault.get("reject_commands") == ["LOGGING"]:
            first = next(x for x in safety_lab.intended_lines(name) if x.startswith("logging host"))
            fault = {**fault, "reject_commands": [f"^{re.escape(first)}$"]}
        if fault:
            safety_lab.lab.set_faults(name, **fault)
    set_run_settings(RunSettings(root=safety_lab.root, lab=True))
    names = ",".join(plan)
    run = run_push(open_project([CODES, f"host={names}"]), PushOptions(method=method))
    safety_lab.lab.clear_faults()

    between = []
    seen = safety_lab.states(before, plan)
    for name, (fault, start) in plan.items():
        report = run.reports[name]
        state, running, startup, flash = seen[name]
        cell = f"{name} {fault} {start}: {report.outcome.value} ({report.reason[:600]})"
        if DELIVERY_FILE in flash:  # it holds the change, secrets included
            between.append(f"{cell}: {DELIVERY_FILE} left on flash")
        if state == "between":
            missing = [x for x in safety_lab.intended_lines(name) if x not in running][:5]
            extra = [x for x in running if x not in safety_lab.intended_lines(name)][:5]
            between.append(f"{cell}: between; missing {missing}, extra {extra}")
            continue
        if paths(startup) != paths(running):
            between.append(f"{cell}: startup differs from running")
        expected = AS_BEFORE if state == "before" else AS_INTENDED
        if report.outcome not in expected:
            between.append(f"{cell}: reported {report.outcome.value} but is {state}")
    assert not between, "\n".join(between)
    # the faults that must make the device fail do
    outcomes = {(str(plan[n][0]), plan[n][1]): run.reports[n].outcome for n in plan}
    for start in STARTS:
        assert outcomes[(str({"refuse_connections": True}), start)] == Outcome.UNREACHABLE
        assert outcomes[(str({"flash_full": True}), start)] == Outcome.FAILED
        if method == "merge":  # replace sends no config commands: nothing to cut
            assert outcomes[(str(FAULTS[4]), start)] == Outcome.ROLLED_BACK
        assert outcomes[(str(REJECTED), start)] == Outcome.ROLLED_BACK
        if method == "merge":  # no way back exactly: refused before any change
            assert outcomes[(str(FAIL_REPLACE), start)] == Outcome.FAILED
            assert outcomes[(str(DOUBLE), start)] == Outcome.FAILED
        else:
            assert outcomes[(str(DOUBLE), start)] in AS_BEFORE
    for name, (fault, _start) in plan.items():
        if fault in (FAIL_REPLACE, DOUBLE) and method == "merge":
            assert "cannot restore its own pre-change copy" in run.reports[name].reason
