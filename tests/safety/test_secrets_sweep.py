"""Secrets sweep: after a run with failures (a replace that fails on one device, a merge, a
dry run, a backup), the test secrets are searched in clear, in every type 7 form and as the
exact hash/key tokens the intended configs carry, across every file the tool wrote (except
build/intended/, which holds them by design at 0600 in a 0700 folder), its stdout/stderr and
the backup repository's whole git history."""

from __future__ import annotations

import re
import stat
import subprocess
from pathlib import Path

from netutils.password import decrypt_cisco_type7, encrypt_cisco_type7

from tests.conftest import TEST_SECRETS
from tests.safety.conftest import SafetyLab

TOKEN = re.compile(r"(?:secret 9 (\S+))|(?:key 7 (\S+))|(?:md5 (\S+) 7)")


def _needles(lab: SafetyLab) -> set[str]:
    needles = {v for v in TEST_SECRETS.values()}
    needles |= {
        str(encrypt_cisco_type7(v, salt=s)) for v in TEST_SECRETS.values() for s in range(16)
    }
    for text in lab.intended.values():  # the very tokens the devices are given
        for match in TOKEN.finditer(text):
            needles |= {g for g in match.groups() if g}
    return needles


def _decodes_to_secret(text: str) -> list[str]:
    found = []
    for match in re.finditer(r"\b7 ([0-9A-F]{6,})\b", text):
        try:
            clear = str(decrypt_cisco_type7(match.group(1)))
        except Exception:
            continue
        if clear in TEST_SECRETS.values():
            found.append(match.group(0))
    return found


def test_no_secret_anywhere_after_a_run_with_failures(small_lab: SafetyLab) -> None:
    small_lab.fresh_build()
    small_lab.lab.clear_faults()
    for name in small_lab.names:
        small_lab.reset(name, "brownfield")
    victim, other = small_lab.names[:2]  # the router and a switch
    two = ("--filter", f"host={victim},{other}")
    first_ntp = next(x for x in small_lab.intended_lines(victim) if x.startswith("ntp server"))
    outputs = [small_lab.cli("push", *two, "--method", "replace", "--dry-run")]
    small_lab.lab.set_faults(victim, reject_commands=[f"^{re.escape(first_ntp)}$"])
    outputs.append(small_lab.cli("push", *two, "--method", "replace"))
    assert outputs[-1].returncode == 1  # the victim failed and was rolled back
    small_lab.lab.clear_faults()
    small_lab.reset(other, "drift")
    small_lab.lab.set_faults(other, drop_after=1)
    outputs.append(small_lab.cli("push", *two))
    small_lab.lab.clear_faults()
    outputs.append(small_lab.cli("backup", *two))
    assert outputs[-1].returncode == 0, outputs[-1].stdout + outputs[-1].stderr
    assert "rolled back" in outputs[1].stdout + outputs[2].stdout

    needles = _needles(small_lab)
    assert len(needles) > 20
    build = small_lab.root / "build"
    texts = {f"output {i}": o.stdout + o.stderr for i, o in enumerate(outputs)}
    for path in build.rglob("*"):
        if path.is_file() and "intended" not in path.relative_to(build).parts[:1]:
            texts[str(path)] = path.read_text(encoding="utf-8", errors="replace")
    history = subprocess.run(
        ["git", "-C", str(build / "backups"), "log", "-p", "--all"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "snmp-server" in history
    texts["backup history"] = history
    assert any("audit.jsonl" in k for k in texts) and any("before" in k for k in texts)
    leaks = [
        f"{where}: {needle[:6]}..."
        for where, text in texts.items()
        for needle in needles
        if needle in text
    ]
    leaks += [
        f"{where}: {hit}" for where, text in texts.items() for hit in _decodes_to_secret(text)
    ]
    assert not leaks, "\n".join(leaks)


def test_files_with_decodable_keys_are_private(small_lab: SafetyLab) -> None:
    out = small_lab.root / "build" / "intended"
    done = small_lab.cli("render", "--out", str(out))
    assert done.returncode == 0, done.stderr
    assert stat.S_IMODE(out.stat().st_mode) == 0o700
    for path in out.glob("*.cfg"):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    for folder in (small_lab.root / "build" / "push").glob("*/before"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700
        for path in folder.glob("*.cfg"):
            assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


def test_non_ascii_type7_key_is_refused(small_lab: SafetyLab, tmp_path: Path) -> None:
    from nornir_config.secrets import write_secrets_file

    bad = write_secrets_file(tmp_path / "s.yaml", {**TEST_SECRETS, "tacacs_key": "khóa-bí-mật"})
    out = tmp_path / "out"
    done = subprocess.run(
        [*small_lab._args(("render", "--out", str(out)))],
        capture_output=True,
        text=True,
        env={"COMMUNELAN_SECRETS_FILE": str(bad), "PATH": "/usr/bin:/bin"},
    )
    assert done.returncode == 2, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert "tacacs_key" in done.stderr and "type 7" in done.stderr
    assert not out.exists()
