"""A compliance run's bookkeeping without a lab (fast enough for every mutant of
`bench/mutation.py`): the statuses and exit codes the reports and the audit playbook act on,
history.jsonl, intended texts from a folder, running texts from backups or given texts, and
redaction of everything a device result carries. One commune (Xã An Nông: a router, a core
and an access switch) rendered once per module."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pytest
from netutils.password import encrypt_cisco_type7

from nornir_config.compliance.history import HISTORY_FILE, append_history, read_history
from nornir_config.compliance.model import (
    UNVERIFIED_EXIT,
    ComplianceReport,
    DeviceResult,
    FeatureResult,
    RunSummary,
    device_to_dict,
)
from nornir_config.compliance.run import (
    check_device,
    intended_configs,
    province_name,
    run_compliance,
    running_from_backups,
    summarize,
)
from nornir_config.compliance.secrets import TokenVerifier
from nornir_config.errors import InputError
from nornir_config.platforms.cisco_ios.secrets import type9
from nornir_config.project import Project, open_project
from nornir_config.render import run_render
from nornir_config.secrets import Secrets, load_secrets, write_secrets_file
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import TEST_SECRETS, province_root

CODE = "15766"


def feature(
    name: str, compliant: bool = True, unverified: bool = False, fix: int = 0
) -> FeatureResult:
    return FeatureResult(
        name,
        compliant,
        False,
        remediation=[f"{name} fix {i}" for i in range(fix)],
        unverified=unverified,
    )


def summary(**counts: int) -> RunSummary:
    values = dict(
        devices=0, compliant=0, non_compliant=0, unknown=0, features_checked=0, features_failed=0
    )
    values.update(counts)
    return RunSummary(time="t", source="text", seconds=0.0, **values)


# --- model: statuses and exit codes -------------------------------------------------------


def test_a_feature_is_unverified_before_compliant_and_else_differs() -> None:
    assert feature("a").status == "compliant"
    assert feature("a", compliant=False).status == "non_compliant"
    assert feature("a", unverified=True).status == "unverified"
    assert feature("a", compliant=False, unverified=True).status == "unverified"


def test_a_device_verdict_differing_beats_unverified_beats_compliant() -> None:
    def verdict(*features: FeatureResult) -> str:
        return DeviceResult("h", "unknown", "text", features=list(features)).verdict()

    assert verdict() == "compliant"
    assert verdict(feature("a"), feature("b")) == "compliant"
    assert verdict(feature("a"), feature("b", unverified=True)) == "unverified"
    assert verdict(feature("a", unverified=True), feature("b", compliant=False)) == "non_compliant"
    assert verdict(feature("a", compliant=False), feature("b", unverified=True)) == "non_compliant"


def test_a_device_lists_its_failed_features_and_its_whole_fix_in_order() -> None:
    device = DeviceResult(
        "h",
        "non_compliant",
        "live",
        features=[feature("a", fix=2), feature("b", compliant=False, fix=1), feature("c")],
    )
    assert device.remediation == ["a fix 0", "a fix 1", "b fix 0"]
    assert device.failed_features() == ["b"]
    data = device_to_dict(device)
    assert data["remediation"] == ["a fix 0", "a fix 1", "b fix 0"]
    assert [f["status"] for f in data["features"]] == ["compliant", "non_compliant", "compliant"]
    assert data["host"] == "h" and data["status"] == "non_compliant" and data["source"] == "live"


def test_exit_codes_one_differs_five_unverified_zero_else() -> None:
    def code(**counts: int) -> int:
        return ComplianceReport(summary(**counts), []).exit_code

    assert UNVERIFIED_EXIT == 5
    assert code() == 0
    assert code(unknown=3, compliant=2) == 0
    assert code(non_compliant=1) == 1
    assert code(non_compliant=1, unverified=2) == 1
    assert code(unverified=1) == UNVERIFIED_EXIT


def test_a_report_lists_each_province_once_by_code() -> None:
    devices = [
        DeviceResult(h, "compliant", "text", province_code=c, province=n)
        for h, c, n in (
            ("a", "38", "Thanh Hóa"),
            ("b", "22", "Quảng Ninh"),
            ("c", "38", "Thanh Hóa"),
        )
    ]
    report = ComplianceReport(summary(), devices)
    assert report.provinces() == [("22", "Quảng Ninh"), ("38", "Thanh Hóa")]
    assert report.timezone == "Asia/Ho_Chi_Minh" and report.history == []


def test_summary_counts_devices_and_failed_features() -> None:
    devices = [
        DeviceResult("a", "compliant", "live", features=[feature("x"), feature("y")]),
        DeviceResult(
            "b",
            "non_compliant",
            "live",
            features=[
                feature("x", compliant=False),
                feature("y", compliant=False),
                feature("z", unverified=True),
            ],
        ),
        DeviceResult("c", "unverified", "live", features=[feature("x", unverified=True)]),
        DeviceResult("d", "unknown", "live"),
        DeviceResult("e", "unknown", "live"),
    ]
    got = summarize(devices, "live", 1.23456)
    assert (got.devices, got.compliant, got.non_compliant, got.unknown, got.unverified) == (
        5,
        1,
        1,
        2,
        1,
    )
    assert (got.features_checked, got.features_failed) == (6, 2)
    assert got.seconds == 1.235 and got.source == "live"
    assert got.time.endswith("+00:00") and len(got.time) == 25  # to the second, in UTC
    assert got.to_dict()["unverified"] == 1 and got.to_dict()["features_failed"] == 2


# --- history.jsonl ------------------------------------------------------------------------


def test_history_keeps_runs_in_order_with_statuses_and_skips_bad_lines(tmp_path: Path) -> None:
    out = tmp_path / "new" / "reports"
    assert read_history(out) == []
    append_history(out, summary(devices=1, compliant=1), {"Xã An Nông-rt01": "compliant"})
    with (out / HISTORY_FILE).open("a", encoding="utf-8") as broken:
        broken.write("{not json\n[1, 2]\n")
    append_history(out, summary(devices=2, unknown=2))
    append_history(out, summary(devices=3), {})
    raw = (out / HISTORY_FILE).read_text(encoding="utf-8")
    assert "Xã An Nông-rt01" in raw  # written as it is, not \u-escaped
    assert len(raw.splitlines()) == 5 and raw.endswith("}\n")
    runs = read_history(out)
    assert [r["devices"] for r in runs] == [1, 2, 3]
    assert runs[0]["statuses"] == {"Xã An Nông-rt01": "compliant"}
    assert "statuses" not in runs[1] and "statuses" not in runs[2]
    assert runs[1] == {**summary(devices=2, unknown=2).to_dict()}
    assert [r["devices"] for r in read_history(out, last=2)] == [2, 3]
    assert [r["devices"] for r in read_history(out, last=1)] == [3]


def test_a_folder_named_like_the_history_is_no_history(tmp_path: Path) -> None:
    (tmp_path / HISTORY_FILE).mkdir()
    assert read_history(tmp_path) == []


def test_history_reads_twenty_runs_by_default(tmp_path: Path) -> None:
    for n in range(25):
        append_history(tmp_path, summary(devices=n))
    assert [r["devices"] for r in read_history(tmp_path)] == list(range(5, 25))


# --- a run over one commune, from given texts and from backups ----------------------------


@dataclass
class Commune:
    project: Project
    secrets: Secrets
    intended: dict[str, str]

    def host(self, suffix: str) -> str:
        return next(h for h in self.intended if h.endswith(suffix))

    def run(self, **kwargs: object) -> ComplianceReport:
        p = self.project
        return run_compliance(p.nr, p.province, self.secrets, p.settings.templates_dir, **kwargs)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def commune(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Commune]:
    before = run_settings()
    set_run_settings(RunSettings(root=province_root()))
    secrets_file = tmp_path_factory.mktemp("s") / "secrets.yaml"

    secrets = load_secrets(write_secrets_file(secrets_file, TEST_SECRETS))
    project = open_project([f"code={CODE}"], connections=False)
    rendered = run_render(
        project.nr, project.province, secrets, project.settings.templates_dir, None
    )
    try:
        yield Commune(project, secrets, rendered.configs)
    finally:
        set_run_settings(before)


def test_intended_configs_render_in_memory_or_read_every_host_from_a_folder(
    commune: Commune, tmp_path: Path
) -> None:
    p = commune.project
    assert intended_configs(p.nr, p.province, commune.secrets, p.settings.templates_dir) == (
        commune.intended
    )
    hosts = sorted(commune.intended)
    for host in hosts:
        (tmp_path / f"{host}.cfg").write_text(f"hostname {host}\nsố\n", encoding="utf-8")
    read = intended_configs(p.nr, p.province, commune.secrets, p.settings.templates_dir, tmp_path)
    assert read == {h: f"hostname {h}\nsố\n" for h in hosts}
    for host in hosts[1:]:
        (tmp_path / f"{host}.cfg").unlink()
    (tmp_path / f"{hosts[1]}.cfg").mkdir()  # not a file: missing too
    with pytest.raises(InputError) as err:
        intended_configs(p.nr, p.province, commune.secrets, p.settings.templates_dir, tmp_path)
    assert str(err.value) == (
        f"{tmp_path}: 2 devices: no intended config for {hosts[1]}, {hosts[2]}; "
        "fix: run `communelan render` first, or drop --intended to render in memory"
    )


def test_a_missing_intended_list_names_five_hosts(commune: Commune, tmp_path: Path) -> None:
    p = commune.project
    everywhere = open_project(["code=15766,14797,16522"], connections=False)
    hosts = list(everywhere.nr.inventory.hosts)  # in inventory order
    assert len(hosts) > 5
    with pytest.raises(InputError) as err:
        intended_configs(
            everywhere.nr, p.province, commune.secrets, p.settings.templates_dir, tmp_path
        )
    assert f": {len(hosts)} devices: no intended config for {', '.join(hosts[:5])}; fix:" in str(
        err.value
    )


def test_backups_give_each_host_its_latest_copy_or_why_not(tmp_path: Path) -> None:
    (tmp_path / "a.cfg").write_text("hostname a\nsố\n", encoding="utf-8")
    (tmp_path / "c.cfg").mkdir()
    got = running_from_backups(["a", "b", "c"], tmp_path)
    assert got == {
        "a": ("hostname a\nsố\n", ""),
        "b": (None, f"no backup at {tmp_path / 'b.cfg'}"),
        "c": (None, f"no backup at {tmp_path / 'c.cfg'}"),
    }


def test_an_unread_device_is_unknown_with_its_place_class_and_a_redacted_reason(
    commune: Commune,
) -> None:
    p, host = commune.project, commune.host("sw01")
    device = p.province.device(host)
    secret = TEST_SECRETS["tacacs_key"]
    got = check_device(
        device,
        p.province,
        commune.secrets,
        commune.intended[host],
        (None, f"Authentication failed with {secret}\nsecond line"),
        "live",
        TokenVerifier(commune.secrets),
        p.settings.build_dir,
    )
    assert got.status == "unknown" and got.features == [] and got.source == "live"
    assert got.reason == "auth"
    assert secret not in got.error and got.error.startswith("Authentication failed with ")
    assert (got.host, got.role, got.platform) == (host, device.role, device.platform)
    assert (got.commune_code, got.commune, got.kind) == (
        CODE,
        device.commune.name,
        device.commune.kind,
    )
    assert (got.province_code, got.province) == (device.province.code, device.province.name)
    assert got.province and got.commune and got.kind and got.role and got.platform


def test_a_device_compared_has_redacted_features_and_its_verdict(commune: Commune) -> None:
    p, host = commune.project, commune.host("rt01")
    intended = commune.intended[host]
    secret = TEST_SECRETS["tacacs_key"]
    args = (p.province.device(host), p.province, commune.secrets)
    rest = ("backup", TokenVerifier(commune.secrets), p.settings.build_dir)
    same = check_device(*args, intended, (intended, ""), *rest)
    assert same.status == "compliant" and same.error == "" and same.reason == ""
    assert same.features and all(f.compliant for f in same.features)
    assert same.remediation == []
    # each feature's lines are lines of the config, one per line, its secrets redacted
    printed = set(intended.splitlines())
    assert any(f.intended for f in same.features) and any(f.actual for f in same.features)
    shown = [line for f in same.features for line in f.intended + f.actual]
    assert all(line in printed or "<removed>" in line for line in shown)  # secrets redacted
    assert sum("<removed>" in line for line in shown) >= 8
    # a secret typed in clear by hand on a line no feature owns, and an NTP server gone
    drifted = intended.replace("ntp server 10.38.2.123 key 1\n", "")
    drifted += f"snmp-server location {secret}\n"
    got = check_device(*args, intended, (drifted, ""), *rest)
    assert got.status == "non_compliant" and got.source == "backup"
    assert secret not in json.dumps(device_to_dict(got), ensure_ascii=False)
    extra = [line for f in got.features for line in f.extra]
    assert extra == ["snmp-server location <secret:tacacs_key>"]
    assert got.remediation == ["ntp server 10.38.2.123 key 1"]
    assert [line.strip() for f in got.features for line in f.missing] == [
        "ntp server 10.38.2.123 key 1"
    ]
    changed = [f for f in got.features if not f.compliant]
    assert changed and all(f.actual for f in changed)
    assert all(f.intended == [] or f.intended[0] != "" for f in got.features)
    assert all(line != "" for f in got.features for line in f.missing + f.extra + f.notes)


def test_a_config_that_cannot_be_compared_fails_that_device_only(commune: Commune) -> None:
    p, host = commune.project, commune.host("rt01")
    got = check_device(
        p.province.device(host),
        p.province,
        commune.secrets,
        commune.intended[host],
        (b"hostname x", ""),  # type: ignore[arg-type]  # not text: the engine raises
        "text",
        TokenVerifier(commune.secrets),
        p.settings.build_dir,
    )
    assert got.status == "unknown" and got.features == [] and got.reason == ""
    assert got.error.startswith("running config could not be compared: TypeError: ")
    assert "\n" not in got.error


def test_a_run_from_given_texts_or_backups_reports_each_host(
    commune: Commune, tmp_path: Path
) -> None:
    rt, sw1, sw2 = (commune.host(s) for s in ("rt01", "sw01", "sw02"))
    given = {rt: (commune.intended[rt], ""), sw1: (commune.intended[sw1] + "ip http server\n", "")}
    report = commune.run(running=given)
    assert [d.host for d in report.devices] == sorted(commune.intended)
    by = {d.host: d for d in report.devices}
    assert (by[rt].status, by[sw1].status, by[sw2].status) == (
        "compliant",
        "non_compliant",
        "unknown",
    )
    assert by[sw2].reason == "not_fetched" and by[sw2].error == "not fetched"
    assert {d.source for d in report.devices} == {"text"} and report.summary.source == "text"
    s = report.summary
    assert (s.devices, s.compliant, s.non_compliant, s.unknown) == (3, 1, 1, 1)
    assert report.exit_code == 1
    province = commune.project.province.device(rt).province.name
    assert report.province == province and province
    assert report.timezone == commune.project.province.device(rt).settings.timezone.iana

    (tmp_path / f"{sw2}.cfg").write_text(commune.intended[sw2], encoding="utf-8")
    stored = commune.run(backups_dir=tmp_path)
    by = {d.host: d for d in stored.devices}
    assert stored.summary.source == "backup" and {d.source for d in stored.devices} == {"backup"}
    assert (by[rt].status, by[sw2].status) == ("unknown", "compliant")
    assert by[rt].reason == "no_backup" and str(tmp_path) in by[rt].error
    # given texts win over backups
    assert commune.run(running=given, backups_dir=tmp_path).summary.source == "text"


def test_the_province_name_comes_from_the_devices_else_the_defaults(commune: Commune) -> None:
    province = commune.project.province
    devices = [province.device(h) for h in sorted(commune.intended)]
    name = devices[0].province.name
    assert province_name(province, devices) == name
    assert province_name(province, []) == str(province.defaults.province.name)
    assert province_name(province, []) == name


def test_the_province_name_joins_the_devices_provinces_else_the_defaults() -> None:
    # province_name reads attributes by name (getattr): plain records stand in for devices
    def device(name: str) -> SimpleNamespace:
        return SimpleNamespace(province=SimpleNamespace(name=name))

    defaults = SimpleNamespace(defaults=SimpleNamespace(province=SimpleNamespace(name="Mặc định")))
    given = [device("Quảng Ninh"), device("Thanh Hóa"), device("Quảng Ninh"), device("")]
    assert province_name(defaults, given) == "Quảng Ninh, Thanh Hóa"  # type: ignore[arg-type]
    assert province_name(defaults, [device(""), SimpleNamespace()]) == "Mặc định"  # type: ignore[arg-type, list-item]
    assert province_name(SimpleNamespace(defaults=None), []) == ""  # type: ignore[arg-type]


def test_a_run_reads_intended_texts_from_a_folder_and_checks_secrets_in_their_own_form(
    commune: Commune, tmp_path: Path
) -> None:
    rt = commune.host("rt01")
    intended = commune.intended[rt]
    (tmp_path / "intended").mkdir()
    for host, text in commune.intended.items():
        (tmp_path / "intended" / f"{host}.cfg").write_text(text, encoding="utf-8")
    # the same NTP key, type 7 with another salt: only the verifier can tell it is the same
    line = next(x for x in intended.splitlines() if x.startswith("ntp authentication-key 1 md5 "))
    other = encrypt_cisco_type7(TEST_SECRETS["ntp_key"], 5)
    assert other not in line
    running = intended.replace(line, f"ntp authentication-key 1 md5 {other} 7")
    # the enable secret hashed again by the device (type 9, another salt): a one-way form the
    # verifier checks against each secret of the store
    enable = next(x for x in intended.splitlines() if x.startswith("enable secret 9 "))
    rehashed = type9(TEST_SECRETS["enable_secret"], "the device's own salt")
    assert rehashed not in enable
    running = running.replace(enable, f"enable secret 9 {rehashed}")
    started = time.perf_counter()
    report = commune.run(intended_dir=tmp_path / "intended", running={rt: (running, "")})
    elapsed = time.perf_counter() - started
    by = {d.host: d for d in report.devices}
    assert by[rt].status == "compliant", by[rt].failed_features()
    assert 0 <= report.summary.seconds <= elapsed + 0.001  # this run's own duration
    # a folder whose text differs is what the run compares against
    (tmp_path / "intended" / f"{rt}.cfg").write_text(intended + "ip http server\n", "utf-8")
    again = commune.run(intended_dir=tmp_path / "intended", running={rt: (running, "")})
    assert {d.host: d for d in again.devices}[rt].status == "non_compliant"


@pytest.fixture
def bangkok(tmp_path: Path) -> Iterator[Path]:
    """The generated province with its reports' time zone moved to Asia/Bangkok."""
    base, root = province_root(), tmp_path / "root"
    (root / "hosts").mkdir(parents=True)
    for item in (base / "hosts").iterdir():
        if item.name != "defaults.yaml":
            (root / "hosts" / item.name).symlink_to(item)
    text = (base / "hosts" / "defaults.yaml").read_text(encoding="utf-8")
    old = "timezone: {name: ICT, offset_hours: 7}"
    assert old in text
    moved = text.replace(old, "timezone: {name: ICT, offset_hours: 7, iana: Asia/Bangkok}")
    (root / "hosts" / "defaults.yaml").write_text(moved, encoding="utf-8")
    for item in ("templates", "config.yaml"):
        (root / item).symlink_to(base / item)
    before = run_settings()
    set_run_settings(RunSettings(root=root))
    yield root
    set_run_settings(before)


def test_the_report_shows_times_in_the_provinces_zone(bangkok: Path, test_secrets: Secrets) -> None:
    project = open_project([f"code={CODE}"], connections=False)
    rt = next(h for h in project.nr.inventory.hosts if h.endswith("rt01"))
    one = project.nr.filter(name=rt)
    args = (project.province, test_secrets, project.settings.templates_dir)
    report = run_compliance(one, *args, running={})
    assert [d.host for d in report.devices] == [rt] and report.timezone == "Asia/Bangkok"
    nobody = run_compliance(project.nr.filter(name="nobody"), *args, running={})
    assert nobody.devices == [] and nobody.timezone == "Asia/Ho_Chi_Minh"
    assert nobody.province == str(project.province.defaults.province.name) != ""
    assert nobody.summary.devices == 0 and nobody.exit_code == 0
