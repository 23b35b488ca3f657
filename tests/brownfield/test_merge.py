"""Every corpus config on a lab device: it boots, prints back, is audited, and one merge push
brings it to the intended config without touching what the device owns (issue 10)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nornir_config.compliance.model import PROTECTED
from nornir_config.compliance.run import run_compliance
from nornir_config.push.state import Outcome
from nornir_config.secrets import load_secrets
from tests.brownfield.conftest import (
    BrownLab,
    config_paths,
    corpus,
    protected_rules,
    show_running,
)

NAMES = sorted(corpus())


def test_the_corpus_is_large_and_varied() -> None:
    texts = corpus()
    assert len(texts) >= 20
    joined = "\n".join(texts.values())
    for form in (
        "exit-address-family",
        "crypto pki certificate chain",
        "interface Dialer1",
        "interface ATM0",
        "switch 1 provision",
        "policy-map",
        "\r\n",
        "<removed>",
    ):
        assert form in joined, form


@pytest.mark.parametrize("name", NAMES)
def test_boots_and_prints_back(brown_lab: BrownLab, name: str) -> None:
    """`show running-config` over SSH holds exactly the corpus lines (as a set of paths),
    apart from the lab operator's account that the lab adds to every device it boots (its
    user and enable secret replace the device's own, as `lab up --day0` does)."""
    operator = (f"username {brown_lab.lab.credentials.username} ", "enable secret ")

    def seen(text: str) -> set[str]:
        return {p for p in config_paths(text) if not p.startswith(operator)}

    shown = seen(show_running(brown_lab.lab, name))
    written = seen(brown_lab.configs[name])
    # A sanitised backup's `<removed>` is no secret a device can hold: the lab boots it with
    # one of its own, so such a line matches whatever token stands in its place.
    for hidden in [p for p in written if "<removed>" in p]:
        pattern = re.compile(re.escape(hidden).replace(re.escape("<removed>"), r"\S+") + "$")
        stand_in = {p for p in shown if pattern.match(p)}
        if stand_in:
            written.discard(hidden)
            shown -= stand_in
    assert written - shown == set(), "lines the lab lost"
    assert shown - written == set(), "lines the lab made up"


def test_compliance_finishes_live_and_from_backup(brown_lab: BrownLab, tmp_path: Path) -> None:
    """Every device gets a real result (never an error, never the run dying) both ways."""
    project = brown_lab.project([f"host={','.join(NAMES)}"])
    brown_lab.lab.point(project.nr)
    secrets = load_secrets()
    live = run_compliance(project.nr, project.province, secrets, project.settings.templates_dir)
    backups = tmp_path / "backups"
    backups.mkdir()
    for name, text in brown_lab.configs.items():
        (backups / f"{name}.cfg").write_bytes(text.encode("ascii"))
    stored = run_compliance(
        project.nr, project.province, secrets, project.settings.templates_dir, backups_dir=backups
    )
    for report in (live, stored):
        by_host = {d.host: d for d in report.devices}
        assert sorted(by_host) == NAMES
        for name, device in by_host.items():
            assert device.error == "", f"{name}: {device.error}"
            assert device.status == "non_compliant", name  # hand-made: nothing is as intended
            protected = {f.name: f for f in device.features}.get(PROTECTED)
            assert protected is not None and protected.actual, name
            extra = {line for f in device.features if f.name != PROTECTED for line in f.extra}
            assert not extra & set(protected.actual), name


def test_merge_converges_in_one_push_and_keeps_protected_lines(brown_lab: BrownLab) -> None:
    dry = brown_lab.push("merge", dry_run=True)
    assert {r.outcome for r in dry.reports.values()} == {Outcome.WOULD_CHANGE}
    planned = {n: r.commands for n, r in dry.reports.items()}
    # The review lists of a first push: kept lines, and removals no feature owns.
    assert all(r.protected for r in dry.reports.values())
    binh = dry.reports["brown-binh-91002-rt01"]
    assert "no dialer-list 1 protocol ip permit" in binh.unowned
    assert "vrf definition Mgmt-intf" in binh.protected
    assert not any(line.startswith("no snmp-server") for line in binh.unowned)
    first = brown_lab.push("merge")
    failed = {n: r.reason for n, r in first.reports.items() if r.outcome != Outcome.CHANGED}
    assert failed == {}
    for name, report in first.reports.items():
        assert report.commands == planned[name], f"{name}: dry run listed other commands"
    intended = brown_lab.intended()
    for name in brown_lab.names:
        running = config_paths(show_running(brown_lab.lab, name))
        want = {p for p in config_paths(intended[name]) if not p.startswith(("version ", "boot-"))}
        assert want - running == set(), f"{name}: intended lines missing"
        rules = protected_rules(brown_lab.preserve(name))
        before = config_paths(brown_lab.configs[name])
        kept = {p for p in before if any(r.keeps(p, want) for r in rules)}
        lost = kept - running
        assert lost == set(), f"{name}: protected lines removed"
        # A line at its default value may be printed or not (IOS prints none of them).
        defaults = protected_rules((), ("defaults",))
        left = {p for p in running - want - kept if not any(r.keeps(p, want) for r in defaults)}
        assert left == set(), f"{name}: lines neither intended nor protected"
    second = brown_lab.push("merge")
    sent = {n: r.commands for n, r in second.reports.items() if r.commands}
    assert sent == {}
    assert {r.outcome for r in second.reports.values()} == {Outcome.UNCHANGED}
