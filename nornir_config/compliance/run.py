"""A compliance run over Nornir hosts: intended texts, running texts, per-device results."""

from __future__ import annotations

import time
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path

from nornir.core import Nornir

from nornir_config.compliance.engine import compare_texts
from nornir_config.compliance.features import features_for
from nornir_config.compliance.fingerprints import Fingerprints
from nornir_config.compliance.model import (
    ComplianceReport,
    DeviceResult,
    FeatureResult,
    RunSummary,
    Source,
)
from nornir_config.compliance.secrets import TokenVerifier
from nornir_config.connection import close_all, failure_reason, get_running_config, reason_class
from nornir_config.errors import InputError
from nornir_config.platforms.base import Platform
from nornir_config.render import run_render
from nornir_config.secrets import Secrets, redact
from nornir_config.settings import run_settings
from nornir_config.sot.province import Device, ProvinceData

Fetched = tuple[str | None, str]  # (running text, or None and why not)


def intended_configs(
    nr: Nornir,
    province: ProvinceData,
    secrets: Secrets,
    templates_dir: Path,
    intended_dir: Path | None = None,
) -> dict[str, str]:
    """Intended texts: rendered in memory, or read from a folder of `<host>.cfg`."""
    if intended_dir is None:
        return run_render(nr, province, secrets, templates_dir, out_dir=None).configs
    configs: dict[str, str] = {}
    missing = []
    for host in nr.inventory.hosts:
        path = intended_dir / f"{host}.cfg"
        if path.is_file():
            configs[host] = path.read_text(encoding="utf-8")
        else:
            missing.append(host)
    if missing:
        raise InputError.one(
            str(intended_dir),
            f"{len(missing)} devices",
            f"no intended config for {', '.join(missing[:5])}",
            "run `communelan render` first, or drop --intended to render in memory",
        )
    return configs


def running_from_backups(hosts: list[str], backups_dir: Path) -> dict[str, Fetched]:
    """The latest backup of each host (build/backups/<host>.cfg in the backup repository)."""
    fetched: dict[str, Fetched] = {}
    for host in hosts:
        path = backups_dir / f"{host}.cfg"
        if path.is_file():
            fetched[host] = (path.read_text(encoding="utf-8"), "")
        else:
            fetched[host] = (None, f"no backup at {path}")
    return fetched


def running_live(nr: Nornir) -> dict[str, Fetched]:
    """The running config of every host over SSH (connections prepared by the caller)."""
    fetched: dict[str, Fetched] = {}
    try:
        results = nr.run(task=get_running_config, name="running config", on_failed=True)
    finally:
        close_all(nr)
        # An unreachable device is reported here as unknown; it must not be skipped by the
        # next task run on this Nornir object (Nornir skips failed hosts by default).
        nr.data.reset_failed_hosts()
    for host, multi in results.items():
        result = multi[0]
        if result.failed:
            exc = result.exception
            reason = failure_reason(exc) if exc else str(result.result)
            line = reason.splitlines()[0] if reason else "failed"
            fetched[host] = (None, line)
        else:
            fetched[host] = (str(result.result), "")
    return fetched


def check_device(
    device: Device,
    province: ProvinceData,
    secrets: Secrets,
    intended: str,
    running: Fetched,
    source: Source,
    verifier: TokenVerifier,
    build_dir: Path,
) -> DeviceResult:
    """One device's result, every text in it already redacted."""
    result = DeviceResult(
        host=device.name,
        status="unknown",
        source=source,
        role=device.role,
        platform=device.platform,
        commune_code=device.commune.code,
        commune=device.commune.name,
        kind=device.commune.kind,
        province_code=device.province.code,
        province=device.province.name,
    )
    text, reason = running
    if text is None:
        result.reason = reason_class(reason)
        result.error = redact(reason, secrets, device.driver)
        return result
    try:
        features = features_for(device)
        proven = Fingerprints.load(build_dir, device.name, device.driver, secrets)
        found = compare_texts(
            intended, text, features, device.driver, verifier, device.settings.preserve, proven
        )
    except Exception as exc:  # a config we cannot read: this device only, never the run
        why = f"running config could not be compared: {type(exc).__name__}: {exc}"
        result.error = redact(why.splitlines()[0], secrets, device.driver)
        return result
    result.features = [_redacted(f, secrets, device.driver) for f in found]
    result.status = result.verdict()
    return result


def _redacted(feature: FeatureResult, secrets: Secrets, platform: Platform) -> FeatureResult:
    def clean(lines: list[str]) -> list[str]:
        return redact("\n".join(lines), secrets, platform).split("\n") if lines else []

    feature.missing = clean(feature.missing)
    feature.extra = clean(feature.extra)
    feature.remediation = clean(feature.remediation)
    feature.intended = clean(feature.intended)
    feature.actual = clean(feature.actual)
    feature.notes = clean(feature.notes)
    return feature


def summarize(devices: list[DeviceResult], source: Source, seconds: float) -> RunSummary:
    checked = [f for d in devices for f in d.features]
    return RunSummary(
        time=datetime.now(UTC).isoformat(timespec="seconds"),
        source=source,
        devices=len(devices),
        compliant=sum(d.status == "compliant" for d in devices),
        non_compliant=sum(d.status == "non_compliant" for d in devices),
        unknown=sum(d.status == "unknown" for d in devices),
        features_checked=len(checked),
        features_failed=sum(f.status == "non_compliant" for f in checked),
        seconds=round(seconds, 3),
        unverified=sum(d.status == "unverified" for d in devices),
    )


def run_compliance(
    nr: Nornir,
    province: ProvinceData,
    secrets: Secrets,
    templates_dir: Path,
    *,
    backups_dir: Path | None = None,
    intended_dir: Path | None = None,
    running: Mapping[str, Fetched] | None = None,
) -> ComplianceReport:
    """Compare every host of `nr`: from `running` texts if given, else from `backups_dir` if
    given, else live over SSH (connections prepared beforehand: connection.prepare_connections)."""
    started = time.perf_counter()
    intended = intended_configs(nr, province, secrets, templates_dir, intended_dir)
    hosts = sorted(nr.inventory.hosts)
    source: Source
    if running is not None:
        source, fetched = "text", dict(running)
    elif backups_dir is not None:
        source, fetched = "backup", running_from_backups(hosts, backups_dir)
    else:
        source, fetched = "live", running_live(nr)
    verifier = TokenVerifier(secrets)
    devices = [
        check_device(
            province.device(host),
            province,
            secrets,
            intended[host],
            fetched.get(host, (None, "not fetched")),
            source,
            verifier,
            run_settings().build_dir,
        )
        for host in hosts
    ]
    summary = summarize(devices, source, time.perf_counter() - started)
    checked = [province.device(host) for host in hosts]
    return ComplianceReport(
        summary,
        devices,
        province=province_name(province, checked),
        timezone=checked[0].settings.timezone.iana if checked else "Asia/Ho_Chi_Minh",
    )


def province_name(province: ProvinceData, devices: list[Device]) -> str:
    """The name(s) of the province(s) of `devices`, as hosts/ spells them."""
    names = sorted({str(getattr(getattr(d, "province", None), "name", "")) for d in devices})
    names = [n for n in names if n]
    if names:
        return ", ".join(names)
    return str(getattr(getattr(province.defaults, "province", None), "name", ""))
