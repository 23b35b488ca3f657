"""A corpus of broken inventories: each gives its exact one-line message and exit code 2."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

Edit = Callable[[Path], None]


def replace(file: str, old: str, new: str, count: int = 1) -> Edit:
    def edit(root: Path) -> None:
        path = root / "hosts" / file
        text = path.read_text(encoding="utf-8")
        assert old in text, f"test setup: {old!r} not in {file}"
        path.write_text(text.replace(old, new, count), encoding="utf-8")

    return edit


def remove(path: str) -> Edit:
    def edit(root: Path) -> None:
        (root / path).unlink()

    return edit


CASES: dict[str, tuple[Edit, list[str]]] = {
    "duplicate code": (
        replace("communes.yaml", 'code: "16522"', 'code: "14797"'),
        [
            "hosts/communes.yaml:12: commune 14797: duplicate code (first on line 7); fix: each "
            "commune has its own official code; remove or correct the duplicate"
        ],
    ),
    "malformed code": (
        replace("communes.yaml", 'code: "16522"', 'code: "1652"'),
        [
            "hosts/communes.yaml:12: commune 1652 code: String should match pattern '^\\d{5}$'; "
            "fix: use the commune's official 5-digit code, in quotes"
        ],
    ),
    "unquoted code": (
        replace("communes.yaml", 'code: "16522"', "code: 16522"),
        [
            "hosts/communes.yaml:12: commune 16522 code: Input should be a valid string; fix: quote "
            'it: "16522"'
        ],
    ),
    "overlapping sites": (
        replace("communes.yaml", "site: 2\n", "site: 1\n"),
        [
            "hosts/communes.yaml:13: commune 16522: site 1 is already used by commune 14797: their "
            "address blocks would overlap; fix: give it the next free site number (167)"
        ],
    ),
    # No commune is a đặc khu in this province: its group's mistake is found all the same.
    "a group no commune is in": (
        replace("groups.yaml", "tslcd_bandwidth_kbps: 10000", "tslcd_bandwidth_kbps: fast"),
        [
            "hosts/groups.yaml:14: group dac-khu wan.tslcd_bandwidth_kbps: Input should be a "
            "valid integer, unable to parse string as an integer; fix: correct the value"
        ],
    ),
    "exhausted supernet": (
        replace("communes.yaml", "site: 2\n", "site: 1024\n"),
        [
            "hosts/communes.yaml:13: commune 16522: address plan exhausted: site 1024 is beyond "
            "10.160.0.0/14, which holds 256 blocks of /22; fix: use a free site number below 256, "
            "or enlarge the supernet to a /11 (holds 2048 sites of /22)"
        ],
    ),
    "zones exceed block": (
        replace(
            "defaults.yaml",
            "prefix: 24, dhcp: true, tslcd: true",
            "prefix: 22, dhcp: true, tslcd: true",
        ),
        None,  # one line per commune: checked by count below
    ),
    "vlan out of range": (
        replace("defaults.yaml", "parking_vlan: 999", "parking_vlan: 4095"),
        None,
    ),
    "reserved vlan": (
        replace("groups.yaml", "access_switches: 2", "access_switches: 2\n      native_vlan: 1002"),
        None,
    ),
    "typo key": (
        replace("communes.yaml", "    short_name: Quảng Phú\n", "    short_nmae: Quảng Phú\n"),
        [
            "hosts/communes.yaml:12: commune 16522 short_name: Field required; fix: add 'short_name'",
            "hosts/communes.yaml:16: commune 16522 short_nmae: unknown key 'short_nmae'; fix: did you "
            "mean 'short_name'?",
        ],
    ),
    "broken yaml": (
        replace("groups.yaml", "  xa:\n", "  xa:\n   - [\n"),
        None,
    ),
    "unknown platform": (
        replace("defaults.yaml", "platform: cisco_ios\n", "platform: cisco_iosxe\n"),
        [
            "hosts/defaults.yaml:31: model ISR4331: unknown platform 'cisco_iosxe'; fix: use one of: "
            "cisco_ios, hp_comware, huawei_vrp"
        ],
    ),
    "missing template": (
        remove("templates/cisco_ios/switch.j2"),
        [
            "hosts/defaults.yaml:35: model C9200L-24P-4G: missing template "
            "templates/cisco_ios/switch.j2; fix: create templates/cisco_ios/switch.j2"
        ],
    ),
    "unknown group": (
        replace("communes.yaml", "    kind: xa\n", "    kind: xa\n    groups: [mien-nuii]\n"),
        None,
    ),
}


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMMUNELAN_ROOT": str(root), "NO_COLOR": "1", "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "nornir_config", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_inventory(case: str, project_copy: Path) -> None:
    edit, expected = CASES[case]
    edit(project_copy)
    proc = run_cli(project_copy, "render", "--out", str(project_copy / "out"))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = [ln.removeprefix("error: ") for ln in proc.stderr.splitlines()]
    assert lines, "no error printed"
    if expected is not None:
        assert lines == [e.replace("{root}", str(project_copy)) for e in expected]
    else:
        assert all(ln.startswith("hosts/") and "; fix: " in ln for ln in lines), lines
    assert not (project_copy / "out").exists(), "something was written despite bad input"


def test_zones_exceeding_block_named(project_copy: Path) -> None:
    CASES["zones exceed block"][0](project_copy)
    proc = run_cli(project_copy, "render")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        "error: hosts/defaults.yaml:72: 166 communes (14797, 16522, 16417, ...): address plan "
        "exhausted: zones need 1600 addresses but a /22 site block has 1024; fix: "
        "shrink zone prefixes, or set addressing.site_prefix to 21 and enlarge the supernet to a /13"
    ]
    # The hint works as written.
    replace("defaults.yaml", "site_prefix: 22", "site_prefix: 21")(project_copy)
    replace("defaults.yaml", "supernet: 10.160.0.0/14", "supernet: 10.160.0.0/13")(project_copy)
    assert run_cli(project_copy, "inventory", "--format", "json").returncode == 0


def test_site_beyond_supernet_hint_works(project_copy: Path) -> None:
    replace("communes.yaml", "site: 2\n", "site: 300\n")(project_copy)
    proc = run_cli(project_copy, "inventory", "--format", "json")
    assert proc.returncode == 2
    assert "fix: use a free site number below 256" in proc.stderr
    replace("communes.yaml", "site: 300\n", "site: 255\n")(project_copy)
    assert run_cli(project_copy, "inventory", "--format", "json").returncode == 0


def test_a_supernet_too_small_for_the_province_is_one_error_at_the_supernet(
    project_copy: Path,
) -> None:
    """166 communes cannot fit a /17 (32 sites) whatever their numbers: one line at the
    supernet, with a size that holds the highest site, and that size works."""
    replace("defaults.yaml", "supernet: 10.160.0.0/14", "supernet: 10.160.0.0/17")(project_copy)
    proc = run_cli(project_copy, "inventory", "--format", "json")
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("error: hosts/defaults.yaml:10: 135 communes (")
    assert lines[0].endswith(
        ") addressing.supernet: address plan exhausted: 10.160.0.0/17 holds 32 sites, the "
        "province has 166 communes (highest site 166); fix: enlarge the supernet to a /14 "
        "(holds 256 sites of /22)"
    )
    replace("defaults.yaml", "supernet: 10.160.0.0/17", "supernet: 10.160.0.0/14")(project_copy)
    assert run_cli(project_copy, "inventory", "--format", "json").returncode == 0


def test_overlong_hostname_points_at_short_name(project_copy: Path) -> None:
    long_name = "Hạc Thành " + "Rất Dài " * 8
    replace("communes.yaml", "short_name: Hạc Thành", f"short_name: {long_name.strip()}")(
        project_copy
    )
    proc = run_cli(project_copy, "inventory", "--format", "json")
    assert proc.returncode == 2
    lines = proc.stderr.splitlines()
    assert len(lines) == 1, lines  # once for the commune, not once per device
    assert lines[0].startswith("error: hosts/communes.yaml:11: commune 14797 short_name: hostname ")
    most = int(lines[0].split("shorten short_name to at most ")[1].split()[0])
    replace("communes.yaml", long_name.strip(), "x" * most)(project_copy)
    assert run_cli(project_copy, "inventory", "--format", "json").returncode == 0


def test_pattern_printed_with_its_brackets(project_copy: Path) -> None:
    replace("defaults.yaml", "domain: thanhhoa.gov.vn", "domain: Thanh Hoa")(project_copy)
    proc = run_cli(project_copy, "render")
    assert proc.returncode == 2
    assert "'^[a-z0-9.-]+\\.[a-z]{2,}$'" in proc.stderr, proc.stderr
    # The hint names what a domain may hold, and a value written as it says is taken.
    assert "fix: use a lower-case domain name (letters, digits, dots, hyphens)" in proc.stderr
    replace("defaults.yaml", "domain: Thanh Hoa", "domain: tinh.gov.vn")(project_copy)
    assert run_cli(project_copy, "inventory", "--format", "json").returncode == 0


def test_vlan_errors_named(project_copy: Path) -> None:
    CASES["vlan out of range"][0](project_copy)
    CASES["reserved vlan"][0](project_copy)
    proc = run_cli(project_copy, "render")
    assert proc.returncode == 2
    assert "VLAN id 4095 is outside 1-4094" in proc.stderr
    assert proc.stderr.splitlines() == [
        "error: hosts/defaults.yaml:80: 166 communes (14797, 16522, 16417, ...) parking_vlan: VLAN "
        "id 4095 is outside 1-4094; fix: correct the value",
        "error: hosts/groups.yaml:8: 19 communes (14797, 16522, 16417, ...) native_vlan: VLAN id "
        "1002 is reserved on IOS (1, 1002-1005); fix: correct the value",
    ]


def test_broken_yaml_names_line(project_copy: Path) -> None:
    CASES["broken yaml"][0](project_copy)
    proc = run_cli(project_copy, "render")
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: hosts/groups.yaml:1")
    assert "broken YAML" in proc.stderr


def test_missing_secret(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    partial = tmp_path / "partial.yaml"
    partial.write_text("enable_secret: x1234567\n", encoding="utf-8")
    partial.chmod(0o600)
    monkeypatch.setenv("COMMUNELAN_SECRETS_FILE", str(partial))
    proc = run_cli(project_copy, "render", "--out", str(project_copy / "out"))
    assert proc.returncode == 2
    assert (
        "error: secrets: secret 'password_admin': is missing; fix: set COMMUNELAN_SECRET_PASSWORD_ADMIN"
        in proc.stderr
    )
    assert not (project_copy / "out").exists()


def test_world_readable_secrets_refused(
    project_copy: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    loose = tmp_path / "loose.yaml"
    loose.write_text("enable_secret: x1234567\n", encoding="utf-8")
    loose.chmod(0o644)
    monkeypatch.setenv("COMMUNELAN_SECRETS_FILE", str(loose))
    proc = run_cli(project_copy, "render")
    assert proc.returncode == 2
    assert (
        f"error: {loose}: permissions: mode 0o644 lets others read it; fix: chmod 600 {loose}"
        in proc.stderr
    )


def test_undefined_template_variable(project_copy: Path) -> None:
    partial = project_copy / "templates/cisco_ios/partials/ntp.j2"
    partial.write_text(partial.read_text() + "ntp peer {{ services.ntp_peer }}\n", encoding="utf-8")
    proc = run_cli(project_copy, "render", "--out", str(project_copy / "out"))
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[0].startswith("error: templates/cisco_ios/partials/ntp.j2:")
    assert "ntp_peer" in proc.stderr
