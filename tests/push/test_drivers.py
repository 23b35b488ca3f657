"""Every driver's office in the lab, pushed with its real clients (Netmiko `cisco_ios`, `huawei`,
`hp_comware`; NAPALM replace for IOS, the device's own replace for VRP and Comware): merge and
replace with their dry runs, rollback under each lab fault, compliance drift and backup.

End states are read over SSH with our own Netmiko session (`tests.offices`) and compared
line by line with the lines the device ran before and with the intended file, never through
the product's remediation.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from nornir.core.task import Task

from nornir_config.backup import git, run_backup
from nornir_config.compliance.run import run_compliance
from nornir_config.connection import TIMEOUTS, open_netmiko, prepare_connections
from nornir_config.push import Outcome
from nornir_config.push.device_replace import device_replace_push
from nornir_config.push.rollback import save_device_copy
from nornir_config.push.state import DeviceReport
from nornir_config.secrets import load_secrets
from tests.conftest import TEST_SECRETS
from tests.offices import DRIVERS, SHOW_RUNNING, Office, office_fixture
from tests.safety.tasks import on_device


@pytest.fixture(params=DRIVERS)
def office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    """A router and a switch of one driver, fresh for the test (each test changes them)."""
    yield from office_fixture(tmp_path, request.param)


def _secrets() -> list[str]:
    return [v for v in TEST_SECRETS.values() if len(v) >= 4]


def _first(office: Office, name: str, pattern: str) -> str:
    """The first intended line matching `pattern` (e.g. an NTP server), unindented
    (Comware prints its top-level lines one space in)."""
    return next(
        line.strip()
        for line in office.intended[name].splitlines()
        if re.match(pattern, line.strip())
    )


NTP = r"^(ntp server|ntp-service unicast-server) "


def test_merge_dry_run_then_push_then_noop(office: Office) -> None:
    before = {n: office.lines(n) for n in office.names}
    dry = office.push(dry_run=True)
    assert {r.outcome for r in dry.reports.values()} == {Outcome.WOULD_CHANGE}
    assert all(r.commands for r in dry.reports.values())
    assert {n: office.where(n, before[n]) for n in office.names} == dict.fromkeys(
        office.names, "before"
    )
    first = office.push()
    assert {r.outcome for r in first.reports.values()} == {Outcome.CHANGED}, first.reports
    for name in office.names:
        assert office.where(name, before[name]) == "intended", office.difference(name)
        assert "<secret:" not in office.shown(name)  # the device got the secrets themselves
        assert office.files(name) == [], "the pre-change copy is left on flash"
    second = office.push()
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}
    assert all(r.commands == [] for r in second.reports.values())

    audit = (office.root / "build" / "audit.jsonl").read_text(encoding="utf-8")
    records = [json.loads(line) for line in audit.splitlines()]
    assert [r["result"] for r in records].count("changed") == len(office.names)
    stored = audit + "".join(
        p.read_text() for p in (office.root / "build" / "push").rglob("*") if p.is_file()
    )
    for secret in _secrets():
        assert secret not in stored
    assert "<removed>" in audit  # the keys the merge sent, as references


def test_replace_dry_run_then_replace_then_noop(office: Office) -> None:
    before = {n: office.lines(n) for n in office.names}
    dry = office.push(method="replace", dry_run=True)
    assert {r.outcome for r in dry.reports.values()} == {Outcome.WOULD_CHANGE}
    assert [(n, r.host, r.method) for n, r in dry.reports.items()] == [
        (n, n, "replace") for n in dry.reports
    ]
    # the diff of what the replace would change: NAPALM's compare_config on IOS, else ours
    heads = "" if office.driver.replace == "napalm" else "--- running\n+++ candidate\n"
    assert all(
        r.diff.startswith(heads) and re.search(r"^[+-]", r.diff, re.M) for r in dry.reports.values()
    ), dry.reports
    if office.driver.replace != "napalm":  # and the merge's commands it stands for
        assert all(r.commands for r in dry.reports.values()), dry.reports
    assert all(office.where(n, before[n]) == "before" for n in office.names)
    first = office.push(method="replace")
    assert {r.outcome for r in first.reports.values()} == {Outcome.CHANGED}, first.reports
    for name in office.names:
        assert office.where(name, before[name]) == "intended", office.difference(name)
        assert office.files(name) == [], first.reports[name].reason
    second = office.push(method="replace")
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}


# (method, fault, outcome): every device ends as before. `NTP` stands for the victim's first
# intended NTP server line, a line only the change sends.
FAULTS = [
    pytest.param("merge", {"refuse_connections": True}, Outcome.UNREACHABLE, id="merge-refused"),
    pytest.param("merge", {"reject_credentials": True}, Outcome.UNREACHABLE, id="merge-login"),
    pytest.param("merge", {"drop_after": 4}, Outcome.ROLLED_BACK, id="merge-dropped"),
    pytest.param("merge", {"reject_commands": "NTP"}, Outcome.ROLLED_BACK, id="merge-rejected"),
    # accepted, not applied
    pytest.param("merge", {"ignore_commands": "NTP"}, Outcome.ROLLED_BACK, id="merge-ignored"),
    pytest.param(
        "replace", {"refuse_connections": True}, Outcome.UNREACHABLE, id="replace-refused"
    ),
    pytest.param("replace", {"fail_replace": True}, Outcome.ROLLED_BACK, id="replace-failed"),
    # the replace stops half-way and the device does not restore itself: the run does
    pytest.param("replace", {"fail_replace_partial": 1}, Outcome.ROLLED_BACK, id="replace-half"),
    # the replace leaves a residual: the device's own copy puts it back
    pytest.param("replace", {"ignore_commands": "NTP"}, Outcome.ROLLED_BACK, id="replace-ignored"),
    pytest.param("replace", {"flash_full": True}, Outcome.FAILED, id="replace-flash-full"),
    # the replace is applied, then the link drops before the device answers
    pytest.param("replace", {"drop_after_replace": 1}, Outcome.ROLLED_BACK, id="replace-cut"),
]


@pytest.mark.parametrize(("method", "fault", "expected"), FAULTS)
def test_fault_leaves_the_device_as_before(
    office: Office,
    method: str,
    fault: dict[str, Any],
    expected: Outcome,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setitem(TIMEOUTS, "timeout", 8)  # a dropped session shows as a read timeout
    victim = office.host("router")
    before = office.lines(victim)
    settings = {
        k: [rf"^\s*{re.escape(_first(office, victim, NTP))}\s*$"] if v == "NTP" else v
        for k, v in fault.items()
    }
    office.lab.set_faults(victim, **settings)
    run = office.push([f"host={victim}"], method=method)
    report = run.reports[victim]
    assert report.outcome == expected, report
    assert report.reason
    said = {"refuse_connections": "onnect", "reject_credentials": "uthentication"}
    assert all(said[k] in report.reason for k in fault if k in said), report.reason
    if method == "replace":  # the step that failed, in the words of the driver's replace
        napalm = office.driver.replace == "napalm"
        if {"fail_replace", "fail_replace_partial"} & set(fault):
            step = "configure replace: " if napalm else "configuration replace: "
            assert report.reason.startswith(step), report.reason
        if "ignore_commands" in fault:  # the device replace names the first line left
            left = "" if napalm else f": {_first(office, victim, NTP)}"
            assert report.reason.startswith(f"residual diff after replace (1 lines){left}")
    office.lab.clear_faults()
    assert office.where(victim, before) == "before", office.difference(victim)
    # as before, verified: nothing of the push is left on flash (a device cut off keeps it)
    if expected != Outcome.UNREACHABLE:
        assert office.files(victim) == [], report.reason


@pytest.fixture(params=[d for d in DRIVERS if d != "cisco_ios"])  # NAPALM replaces IOS
def own_replace_office(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Office]:
    """An office of a driver whose device replaces its own config from a file on flash."""
    yield from office_fixture(tmp_path, request.param)


def test_a_refused_pre_change_copy_stops_the_replace_before_its_candidate(
    own_replace_office: Office,
) -> None:
    """No way back, no change: a device that will not save its own pre-change copy is left
    as it was, and its candidate (secrets in clear) never reaches flash."""
    office = own_replace_office
    victim = office.host("router")
    before = office.lines(victim)
    with office.lab.faults(victim, reject_commands=[r"^\s*save \S*communelan-before"]):
        run = office.push([f"host={victim}"], method="replace")
    report = run.reports[victim]
    assert report.outcome == Outcome.FAILED, report
    assert report.reason.startswith("preparing the replace: "), report.reason
    assert "could not save its pre-change copy: " in report.reason, report.reason
    assert report.reason.endswith("; nothing applied"), report.reason
    assert office.where(victim, before) == "before", office.difference(victim)
    assert office.files(victim) == [], report.reason


def test_a_replace_the_device_will_not_save_is_put_back_and_flagged(
    own_replace_office: Office,
) -> None:
    """Replaced but not saved (a flash that fails the write): the device's own copy puts the
    running config back, and a device whose saves fail needs attention (its rollback's save
    fails too); the report says the device runs its pre-change config."""
    office = own_replace_office
    victim = office.host("router")
    before = office.lines(victim)
    save = office.driver.commands.save  # the driver's own save, not its `save <file>` copy
    with office.lab.faults(victim, reject_commands=[rf"^\s*{re.escape(save)}\s*$"]):
        run = office.push([f"host={victim}"], method="replace")
    report = run.reports[victim]
    assert report.outcome == Outcome.NEEDS_ATTENTION, report
    # the save's refusal in the device's words, then the rollback's own (its save refused)
    saving, rollback = report.reason.split("; rollback failed: ")
    answer = "Unrecognized command found at '^' position."
    assert saving.startswith("saving: ") and answer in saving, report.reason
    assert answer in rollback, report.reason
    assert report.now == "running config equals the pre-change config", report
    assert office.where(victim, before) == "before", office.difference(victim)
    # the way back (hashes only) stays for the operator; the candidate (clear text) is gone
    assert office.files(victim) == ["communelan-before.cfg"], report.reason


@pytest.mark.parametrize(
    ("step", "expected"),
    [
        # the device's copy is restored, but no read can verify it: the run cannot say
        ("re-reading the running config", Outcome.NEEDS_ATTENTION),
        ("checking management access", Outcome.ROLLED_BACK),
    ],
)
def test_a_failure_after_the_device_replace_names_its_step(
    own_replace_office: Office, step: str, expected: Outcome
) -> None:
    """The device has replaced its config when the push's next step fails: the device starts
    refusing the show of its running config, or the access check itself breaks. The report
    names the step (and the device's refusal, never read as a config), and the device is put
    back."""
    office = own_replace_office
    victim = office.host("router")
    before = office.lines(victim)
    show = rf"^\s*{re.escape(SHOW_RUNNING[office.driver.name])}"

    def push(task: Task) -> DeviceReport:
        def before_change(_host: str, _running: str) -> None:  # as `push` has it saved
            save_device_copy(task.host, open_netmiko(task.host, task.nornir.config), office.driver)
            if step.startswith("re-reading"):  # read once already: the next ones refused
                office.lab.set_faults(victim, reject_commands=[show])

        def after_change(_host: str) -> str | None:
            raise OSError("the access check broke")

        intended = office.intended[victim]
        result = device_replace_push(task, intended, False, str, before_change, after_change)
        assert isinstance(result.result, DeviceReport)
        return result.result

    try:
        report = on_device(office, victim, push)
    finally:
        office.lab.clear_faults()
    assert report.outcome == expected, report
    assert report.reason.startswith(f"{step}: "), report.reason
    if expected == Outcome.NEEDS_ATTENTION:
        refused = f"OSError: the device refused `{SHOW_RUNNING[office.driver.name]}`: ^ "
        assert report.reason.startswith(f"{step}: {refused}"), report.reason
        assert (
            report.now
            == "could not read the running config after the failure; its state is unknown"
        )
    assert office.where(victim, before) == "before", office.difference(victim)


def test_a_candidate_the_device_will_not_delete_is_named_after_a_residual(
    own_replace_office: Office,
) -> None:
    """A replace that leaves a residual is rolled back; a device that also would not delete
    the candidate (secrets in clear) keeps it on flash, and the report still names it."""
    office = own_replace_office
    victim = office.host("router")
    before = office.lines(victim)
    candidate = str(office.driver.data("push")["replace_file"])
    name = candidate.rsplit("/", 1)[-1].rsplit(":", 1)[-1]
    ntp = rf"^\s*{re.escape(_first(office, victim, NTP))}\s*$"
    refused = rf"^\s*delete .*{re.escape(candidate)}\s*$"
    with office.lab.faults(victim, ignore_commands=[ntp], reject_commands=[refused]):
        run = office.push([f"host={victim}"], method="replace")
    report = run.reports[victim]
    assert report.outcome == Outcome.ROLLED_BACK, report
    assert report.reason.startswith("residual diff after replace (1 lines): "), report.reason
    assert f"could not delete {candidate}: " in report.reason, report.reason
    assert office.where(victim, before) == "before", office.difference(victim)
    assert office.files(victim) == [name], report.reason


@pytest.mark.parametrize("method", ["merge", "replace"])
def test_a_device_that_refuses_the_show_is_left_untouched(office: Office, method: str) -> None:
    """A login without the privilege to show the running config (NAPALM's `get_config` on
    IOS, our read elsewhere): its refusal is never taken for a config to change or undo."""
    victim = office.host("router")
    before = office.lines(victim)
    show = SHOW_RUNNING[office.driver.name]
    with office.lab.faults(victim, reject_commands=[rf"^\s*{re.escape(show)}"]):
        run = office.push([f"host={victim}"], method=method)
    report = run.reports[victim]
    assert report.outcome == Outcome.UNREACHABLE, report
    assert report.reason.startswith(f"OSError: the device refused `{show}`: ^ "), report.reason
    assert office.where(victim, before) == "before", office.difference(victim)
    assert office.files(victim) == [], report.reason


def test_refused_delete_keeps_the_copy_and_says_so(office: Office) -> None:
    """A device that will not delete the pre-change copy: the push still changes it, and its
    report names the file left behind (an operator deletes it by hand)."""
    victim = office.host("router")
    with office.lab.faults(victim, reject_commands=[r"^\s*delete "]):
        run = office.push([f"host={victim}"])
    report = run.reports[victim]
    assert report.outcome == Outcome.CHANGED, report
    assert "could not delete" in report.reason and "communelan-before.cfg" in report.reason
    assert office.files(victim) == ["communelan-before.cfg"], report.reason


def test_push_after_a_rolled_back_merge_completes(
    office: Office, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A merge refused mid-way is rolled back (Comware: `configuration replace file` of the
    device's own saved copy, which keeps what both have, undoes what the file lacks and adds
    the rest: HPE MSR Fundamentals Configuration Guide (V7), "Configuring configuration
    rollback"), so a factory box is a factory box again; pushed again with the fault cleared,
    the change completes as the first would have, and the NOC still logs in after it."""
    monkeypatch.setitem(TIMEOUTS, "timeout", 8)
    victim = office.host("router")
    before = office.lines(victim)
    office.lab.set_faults(
        victim, reject_commands=[rf"^\s*{re.escape(_first(office, victim, NTP))}\s*$"]
    )
    first = office.push([f"host={victim}"])
    assert first.reports[victim].outcome == Outcome.ROLLED_BACK, first.reports[victim]
    office.lab.clear_faults()
    assert office.where(victim, before) == "before", office.difference(victim)
    second = office.push([f"host={victim}"])
    assert second.reports[victim].outcome == Outcome.CHANGED, second.reports[victim]
    # read over a new SSH login (Netmiko, the driver's own device type): still reachable
    assert office.where(victim, before) == "intended", office.difference(victim)
    again = office.push([f"host={victim}"])
    assert again.reports[victim].outcome == Outcome.UNCHANGED, again.reports[victim]


# A technician's changes out of band: a rogue VLAN on the switch (VRP creates VLANs with
# `vlan batch`, Huawei S Configuration Guide "VLAN"), an NTP server removed on the router.
ROGUE_VLAN = {
    "cisco_ios": ["vlan 77", "name ROGUE"],
    "huawei_vrp": ["vlan batch 77"],
    "hp_comware": ["vlan 77", "name ROGUE"],
}


def _negated(office: Office, line: str) -> str:
    """`no`/`undo` of a server line, up to its address (IOS, VRP and Comware all take it)."""
    words = line.split()
    last = next(i for i, w in enumerate(words) if re.fullmatch(r"[\d.]+", w))
    return office.driver.commands.negation + " ".join(words[: last + 1])


def test_compliance_drift_then_backup(office: Office, tmp_path: Path) -> None:
    router, switch = office.host("router"), office.host("switch")
    assert {r.outcome for r in office.push().reports.values()} == {Outcome.CHANGED}
    project = office.project()
    office.lab.point(project.nr)
    secrets = load_secrets()

    def audit() -> dict[str, list[str]]:
        report = run_compliance(
            project.nr, project.province, secrets, project.settings.templates_dir
        )
        assert {d.host for d in report.devices} == set(office.names)
        return {d.host: sorted(d.failed_features()) for d in report.devices}

    repo = tmp_path / "backups"

    def backup() -> list[str]:
        p = office.project()
        prepare_connections(p.nr, p.settings)
        try:
            summary = run_backup(p.nr, repo)
        finally:
            p.nr.close_connections()
        assert not summary.failed, summary.failed
        return sorted(summary.changed)

    assert audit() == {router: [], switch: []}
    assert backup() == sorted(office.names)
    assert backup() == []  # only volatile lines changed, if any: no commit
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "1"

    office.send(router, [_negated(office, _first(office, router, NTP))])
    office.send(switch, ROGUE_VLAN[office.driver.name])
    assert audit() == {router: ["ntp"], switch: ["vlans"]}
    assert backup() == sorted(office.names)
    assert git(repo, "rev-list", "--count", "HEAD").strip() == "2"
    assert switch in git(repo, "log", "-1", "--format=%s")
    for name in office.names:
        stored = (repo / f"{name}.cfg").read_text(encoding="utf-8")
        for secret in _secrets():
            assert secret not in stored
        assert "<removed>" in stored
        volatile = [re.compile(v) for v in office.driver.layout.volatile]
        assert not any(v.match(x.strip()) for v in volatile for x in stored.splitlines())
    stored_switch = (repo / f"{switch}.cfg").read_text(encoding="utf-8")
    assert re.search(r"^\s*vlan (batch .*\b)?77\b", stored_switch, flags=re.M)
    ntp = _first(office, router, NTP)
    assert ntp not in (repo / f"{router}.cfg").read_text(encoding="utf-8")
