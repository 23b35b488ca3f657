"""The HTML report's per-device timeline (issue 16): backups from the backup repository's
commits, pushes and plan applies from the audit log (with plan ids), and each compliance run
that changed the device's status - written by `publish` from the build folder."""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from nornir_config import audit
from nornir_config.backup import store
from nornir_config.reports import publish
from tests.reports.conftest import Built


def _rows(html: str, host: str) -> list[str]:
    block = re.search(
        rf'<details class="device timeline" id="tl-{re.escape(host)}">(.*?)</details>', html, re.S
    )
    assert block, f"no timeline for {host}"
    return re.findall(r"<tr><td>.*?</tr>", block.group(1))


def test_timeline_shows_backups_changes_with_plan_ids_and_compliance(
    built: Built, tmp_path: Path
) -> None:
    build = tmp_path / "build"
    host = built.bad_host
    commit = store(build / "backups", {host: "hostname before\n"}, "backup")[1]
    audit.append(
        build / "audit.jsonl",
        {"run": "r1", "device": host, "action": "apply", "result": "changed", "plan": "plan-7f3a"},
    )
    audit.append(build / "audit.jsonl", {"run": "r2", "device": "someone-else", "action": "push"})
    out = build / "reports"
    # First run: every device as the fixture built it, but the drifted one compliant.
    first = replace(built.report, devices=[replace(d) for d in built.report.devices])
    for device in first.devices:
        if device.host == host:
            device.status = "compliant"
    publish(first, out, ["html"], "en", build_dir=build)
    publish(built.report, out, ["html"], "en", build_dir=build)
    html = (out / "compliance.html").read_text(encoding="utf-8")
    rows = _rows(html, host)
    text = " | ".join(rows)
    assert commit[:10] in text and "Backup" in text
    assert "Plan applied" in text and "plan-7f3a" in text
    states = [r for r in rows if "<td>Compliance</td>" in r]
    assert [("Non-compliant" in r) for r in states] == [False, True], states
    assert "someone-else" not in text
    assert "(UTC+07:00, Asia/Ho_Chi_Minh)" in rows[0]
    # The JSON history keeps its schema: per-device statuses stay in history.jsonl only.
    assert "statuses" in (out / "history.jsonl").read_text(encoding="utf-8")
    assert not any("statuses" in run for run in built.report.history)
