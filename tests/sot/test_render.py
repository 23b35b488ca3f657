"""Rendering: golden files, the whole province, canonical layout, reproducibility."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from nornir_config.inventory import build_nornir, province_of
from nornir_config.platforms import driver
from nornir_config.render import render_device, run_render
from nornir_config.running_config import canonical
from nornir_config.secrets import Secrets
from nornir_config.settings import RunSettings
from tests.conftest import REPO, TEST_SECRETS, in_own_process, province_root

GOLDEN = Path(__file__).resolve().parents[1] / "golden"
GOLDEN_HOSTS = ("hac-thanh-14797-rt01", "hac-thanh-14797-sw02", "dong-tien-15853-rt01")


@pytest.fixture(scope="module")
def province_render(tmp_path_factory: pytest.TempPathFactory, secrets_file: Path):  # type: ignore[no-untyped-def]
    from nornir_config.secrets import load_secrets

    nr = build_nornir(RunSettings(root=province_root()))
    province = province_of(nr)
    out = tmp_path_factory.mktemp("intended")
    summary = run_render(nr, province, load_secrets(secrets_file), REPO / "templates", out)
    return province, summary, out


@pytest.mark.parametrize("host", GOLDEN_HOSTS)
def test_golden(host: str, province_render) -> None:  # type: ignore[no-untyped-def]
    _, _, out = province_render
    expected = (GOLDEN / f"{host}.cfg").read_text(encoding="utf-8")
    assert (out / f"{host}.cfg").read_text(encoding="utf-8") == expected


def test_whole_province_renders(province_render) -> None:  # type: ignore[no-untyped-def]
    province, summary, out = province_render
    assert len(province.communes) == 166
    assert len(summary.written) == len(province.devices) >= 498
    files = sorted(out.glob("*.cfg"))
    assert len(files) == len(province.devices)
    for path in files:
        text = path.read_text(encoding="utf-8")
        assert text.startswith("version 17.9\n") and text.endswith("!\nend\n")
        assert canonical(text, driver("cisco_ios")) == text, (
            f"{path.name} is not laid out as IOS prints it"
        )
        assert f"hostname {path.stem}\n" in text
        assert "  " not in text.replace("\n  ", "\n"), "double spaces inside a line"


def test_secrets_never_in_clear(province_render) -> None:  # type: ignore[no-untyped-def]
    _, summary, _ = province_render
    for text in summary.configs.values():
        for value in TEST_SECRETS.values():
            assert value not in text
        assert re.search(r"^username admin privilege 15 secret 9 \$9\$", text, re.M)
        assert re.search(r"^enable secret 9 \$9\$", text, re.M)


def test_unchanged_output_not_rewritten(province_render, secrets_file: Path) -> None:  # type: ignore[no-untyped-def]
    from nornir_config.secrets import load_secrets

    province, _, out = province_render
    nr = build_nornir(RunSettings(root=province_root())).filter(
        filter_func=lambda h: h.data["code"] == "14797"
    )
    before = {p.name: p.stat().st_mtime_ns for p in out.glob("hac-thanh-*.cfg")}
    again = run_render(nr, province, load_secrets(secrets_file), REPO / "templates", out)
    assert again.written == [] and len(again.unchanged) == 4
    assert {p.name: p.stat().st_mtime_ns for p in out.glob("hac-thanh-*.cfg")} == before


def test_different_secret_changes_hash(province_render) -> None:  # type: ignore[no-untyped-def]
    province, summary, _ = province_render
    other = Secrets({**TEST_SECRETS, "enable_secret": "another-one"})
    device = province.device("hac-thanh-14797-rt01")
    text = render_device(device, province, other, REPO / "templates")
    mine = [
        ln for ln in summary.configs[device.name].splitlines() if ln.startswith("enable secret")
    ]
    theirs = [ln for ln in text.splitlines() if ln.startswith("enable secret")]
    assert mine and theirs and mine != theirs


def test_colliding_names_get_distinct_hostnames(province_render) -> None:  # type: ignore[no-untyped-def]
    province, _, _ = province_render
    names = {d.commune.short_name: d.name for d in province.devices if d.role == "router"}
    assert names["Đông Tiến"] == "dong-tien-15853-rt01"
    assert names["Đồng Tiến"] == "dong-tien-15724-rt01"
    assert len({d.name for d in province.devices}) == len(province.devices)


def test_guest_and_camera_acls_shape(province_render) -> None:  # type: ignore[no-untyped-def]
    _, summary, _ = province_render
    text = summary.configs["hac-thanh-14797-rt01"]
    wifi = text.split("ip access-list extended ACL-WIFI-KHACH-IN\n", 1)[1].split("!\n", 1)[0]
    assert " deny ip any 10.0.0.0 0.255.255.255\n" in wifi
    assert wifi.rstrip().endswith("deny ip any any log")
    assert wifi.index("deny ip any 10.0.0.0") < wifi.index("permit ip 10.160.5.0 0.0.0.255 any")
    camera = text.split("ip access-list extended ACL-CAMERA-IN\n", 1)[1].split("!\n", 1)[0]
    assert camera.splitlines() == [
        " permit udp any eq bootpc host 255.255.255.255 eq bootps",
        " permit udp any eq bootpc host 10.160.6.129 eq bootps",
        " permit ip host 10.160.6.138 host 10.38.4.20",
        " deny ip any any log",
    ]


@in_own_process
def test_render_split_across_processes_is_the_same(  # type: ignore[no-untyped-def]
    province_render, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, secrets_file: Path
) -> None:
    from nornir_config import render
    from nornir_config.parallel import PROCESSES_ENV, processes_for
    from nornir_config.secrets import load_secrets

    province, summary, _ = province_render
    monkeypatch.setenv(PROCESSES_ENV, "2")
    monkeypatch.setattr(render, "PARALLEL_MIN_PART", 100)
    assert processes_for(len(province.devices), 100) == 2  # the forked path really runs
    nr = build_nornir(RunSettings(root=province_root()))
    split = run_render(nr, province_of(nr), load_secrets(secrets_file), REPO / "templates", None)
    assert split.configs == summary.configs


@in_own_process
def test_a_failed_child_part_is_done_again_in_the_parent(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    from nornir_config.parallel import PROCESSES_ENV, split_work

    monkeypatch.setenv(PROCESSES_ENV, "3")
    parent = os.getpid()

    def work(part: list[int]) -> list[tuple[int, bool]]:
        if os.getpid() != parent and part[0] >= 20:
            os._exit(1)  # the last child dies without answering
        return [(n * n, os.getpid() == parent) for n in part]

    parts = split_work(list(range(30)), work, min_part=10)
    assert [n for part in parts for n, _ in part] == [n * n for n in range(30)]
    assert [all(here for _, here in part) for part in parts] == [True, False, True]
