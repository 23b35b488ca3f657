"""`communelan compliance --from-backup`: exit codes, report files, history, bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.compliance.conftest import CODE, Commune
from tests.conftest import province_root


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    root = str(province_root())
    command = [sys.executable, "-m", "nornir_config", "--root", root, "compliance", *args]
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def test_backups_exit_codes_reports_and_history(commune: Commune, tmp_path: Path) -> None:
    backups, out = tmp_path / "backups", tmp_path / "reports"
    backups.mkdir()
    for host, text in commune.intended.items():
        (backups / f"{host}.cfg").write_text(text, encoding="utf-8")
    common = ["--filter", f"code={CODE}", "--from-backup", "--backups", str(backups)]
    ok = cli(*common, "--out", str(out), "--lang", "en")
    assert ok.returncode == 0, ok.stderr
    sw = commune.host("sw02")
    path = backups / f"{sw}.cfg"
    path.write_text(path.read_text().replace("no ip http server\n", "ip http server\n"))
    (backups / f"{commune.host('rt01')}.cfg").unlink()  # no backup: unknown, not compliant
    bad = cli(*common, "--out", str(out))
    assert bad.returncode == 1, bad.stderr
    assert f"non-compliant {sw}: hardening" in bad.stderr
    document = json.loads((out / "compliance.json").read_text(encoding="utf-8"))
    status = {d["host"]: d["status"] for d in document["devices"]}
    assert status == {
        commune.host("rt01"): "unknown",
        commune.host("sw01"): "compliant",
        sw: "non_compliant",
    }
    runs = (out / "history.jsonl").read_text(encoding="utf-8").splitlines()
    assert [json.loads(r)["non_compliant"] for r in runs] == [0, 1]
    assert len(document["history"]) == 2
    assert 'lang="vi"' in (out / "compliance.html").read_text(encoding="utf-8")


def test_bad_input_exits_2_and_writes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "reports"
    for args in (["--format", "pdf"], ["--lang", "fr"], ["--filter", "nope"]):
        result = cli("--from-backup", "--out", str(out), *args)
        assert result.returncode == 2, (args, result.stderr)
        assert "error:" in result.stderr and "Traceback" not in result.stderr
    assert not out.exists()


def test_unverified_device_cipher_exits_5(tmp_path: Path, test_secrets: object) -> None:
    """A Huawei router whose backed-up HWTACACS key is a device cipher (sanitised in the
    backup, so nothing can verify it): unverified, exit 5, never compliant."""
    from nornir_config.project import open_project
    from nornir_config.render import run_render
    from nornir_config.settings import RunSettings, run_settings, set_run_settings
    from tests.huawei_vrp.province import HUAWEI_CODE, huawei_root

    root = huawei_root()
    previous = run_settings()
    set_run_settings(RunSettings(root=root))
    try:
        project = open_project([f"code={HUAWEI_CODE}"])
        configs = run_render(
            project.nr, project.province, project.secrets(), project.settings.templates_dir, None
        ).configs
    finally:
        set_run_settings(previous)
    backups, out = tmp_path / "backups", tmp_path / "reports"
    backups.mkdir()
    router = next(h for h in configs if h.endswith("rt01"))
    for host, text in configs.items():
        if host == router:
            text = text.replace(
                "shared-key cipher <secret:tacacs_key>", "shared-key cipher <removed>"
            )
        (backups / f"{host}.cfg").write_text(text, encoding="utf-8")
    command = [sys.executable, "-m", "nornir_config", "--root", str(root), "compliance"]
    args = ["--filter", f"code={HUAWEI_CODE}", "--from-backup", "--backups", str(backups)]
    done = subprocess.run(
        [*command, *args, "--out", str(out), "--lang", "en"],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 5, done.stdout + done.stderr
    output = done.stdout + done.stderr
    assert f"unverified {router}:" in output and "0 non-compliant, 1 unverified" in output
    document = json.loads((out / "compliance.json").read_text(encoding="utf-8"))
    assert {d["host"]: d["status"] for d in document["devices"]}[router] == "unverified"
