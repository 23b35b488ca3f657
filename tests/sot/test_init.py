"""`communelan init`: any province (or several) from the bundled national list, ready to render
and lint; `--add-from` merges a later list without renumbering anyone.

The national list is Công văn 1027/CTK-CSCL, Phụ lục I (nornir_config/sot/data/README.md);
Quảng Ninh (22) is used because it is small (54 units) and has two đặc khu (Vân Đồn, Cô Tô).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from nornir_config.inventory import build_nornir, province_of
from nornir_config.reports.html_report import province_title
from nornir_config.settings import RunSettings
from nornir_config.sot.addressing import overlapping
from nornir_config.sot.national import PROVINCE_ORDER, national_units, province_block
from nornir_config.sot.scaffold import init_hosts
from tests.conftest import QUANG_NINH, REPO, province_root


def run_cli(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COMMUNELAN_ROOT": str(root), "NO_COLOR": "1", "COLUMNS": "300"}
    return subprocess.run(
        [sys.executable, "-m", "nornir_config", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        check=False,
    )


@pytest.fixture
def empty_root(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    root.mkdir()
    (root / "templates").symlink_to(REPO / "templates")
    shutil.copy(REPO / "config.yaml", root / "config.yaml")
    return root


def test_init_by_name_renders_and_lints(empty_root: Path) -> None:
    proc = run_cli(empty_root, "init", "--province", "quang ninh")
    assert proc.returncode == 0, proc.stderr
    communes = yaml.safe_load((empty_root / "hosts/communes.yaml").read_text(encoding="utf-8"))
    units = [u for u in national_units() if u.province_code == "22"]
    assert [c["code"] for c in communes["communes"]] == [u.code for u in units]
    assert [c["site"] for c in communes["communes"]] == list(range(1, len(units) + 1))
    dac_khu = {c["code"]: c for c in communes["communes"] if c["kind"] == "dac-khu"}
    assert {c["name"] for c in dac_khu.values()} == {"Đặc khu Vân Đồn", "Đặc khu Cô Tô"}
    assert dac_khu["06994"]["short_name"] == "Vân Đồn"

    render = run_cli(empty_root, "render")
    assert render.returncode == 0, render.stderr
    config = (empty_root / "build/intended/van-don-06994-rt01.cfg").read_text(encoding="utf-8")
    assert "ip domain name quangninh.gov.vn\n" in config
    assert "nha nuoc Quang Ninh." in config  # the banner names the province from hosts/
    assert "  shape average 10000000\n" in config  # the dac-khu group's narrower link
    lint = run_cli(empty_root, "lint", "--format", "json")
    assert lint.returncode == 0, lint.stdout[-2000:] + lint.stderr
    assert json.loads(lint.stdout)["findings"] == []


def test_names_with_and_without_diacritics_and_codes_agree(empty_root: Path) -> None:
    for value in ("Quảng Ninh", "Tỉnh Quảng Ninh", "22"):
        proc = run_cli(empty_root, "init", "--province", value, "--force")
        assert proc.returncode == 0, proc.stderr
        assert "22 Quảng Ninh" in proc.stdout
    proc = run_cli(empty_root, "init", "--province", "Atlantis", "--force")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "--province: Atlantis: is not a province of the national list" in proc.stderr
    before = (empty_root / "hosts/defaults.yaml").read_bytes()
    for empty in ("", " , "):  # nothing to write: refused, hosts/ as it was
        proc = run_cli(empty_root, "init", "--province", empty, "--force")
        assert proc.returncode == 2 and proc.stderr.splitlines() == [
            "error: --province: (empty): names no province; fix: give e.g. --province 40 or "
            "--province all"
        ]
    assert (empty_root / "hosts/defaults.yaml").read_bytes() == before


def test_existing_hosts_is_not_overwritten(empty_root: Path) -> None:
    assert run_cli(empty_root, "init", "-p", "22").returncode == 0
    before = (empty_root / "hosts/communes.yaml").read_bytes()
    proc = run_cli(empty_root, "init", "-p", "40")
    assert proc.returncode == 2
    assert proc.stderr.splitlines() == [
        f"error: {empty_root}/hosts: folder: already exists; fix: pass --force to overwrite it"
    ]
    assert (empty_root / "hosts/communes.yaml").read_bytes() == before


def test_several_provinces_in_one_repository() -> None:
    root = province_root(("22", "38"))
    nr = build_nornir(RunSettings(root=root))
    province = province_of(nr)
    assert set(province.provinces) == {"22", "38"}
    # Site 1 exists in both provinces, in different blocks.
    firsts = [d for d in province.devices if d.commune.site == 1 and d.role == "router"]
    assert len(firsts) == 2 and firsts[0].plan.block != firsts[1].plan.block
    proc = run_cli(root, "inventory", "--format", "json", "--filter", "province=22")
    assert proc.returncode == 0, proc.stderr
    rows = json.loads(proc.stdout)
    assert rows and {r["province"] for r in rows} == {"22"}
    assert {r["province_name"] for r in rows} == {"Quảng Ninh"}
    # The address plan names the province of each row: site 1 is in both, in its own block.
    plan = run_cli(root, "ipplan", "--format", "csv", "--filter", "site=1")
    assert plan.returncode == 0, plan.stderr
    head, *lines = plan.stdout.removeprefix("\ufeff").splitlines()
    assert head.startswith("province,code,commune,kind,site,")
    mgmt = {line.split(",")[0]: line for line in lines if ",mgmt," in line}
    assert set(mgmt) == {"22", "38"} and mgmt["22"] != mgmt["38"]


def test_national_scheme_never_overlaps() -> None:
    nets = {}
    for code in PROVINCE_ORDER:
        block = province_block(code)
        nets[f"{code} sites"] = block.supernet
        nets[f"{code} tslcd"] = block.tslcd_p2p_pool
        nets[f"{code} internet"] = block.internet_p2p_pool
        for i, net in enumerate(block.noc_networks):
            nets[f"{code} noc{i}"] = net
    assert overlapping(nets) == []
    most = max(
        sum(1 for u in national_units() if u.province_code == code) for code in PROVINCE_ORDER
    )
    assert most <= 2 ** (22 - 14), "every province's communes fit its /14"


def test_add_from_merges_without_renumbering(empty_root: Path, tmp_path: Path) -> None:
    assert run_cli(empty_root, "init", "-p", ",".join(QUANG_NINH)).returncode == 0
    hosts = empty_root / "hosts/communes.yaml"
    before = {c["code"]: c for c in yaml.safe_load(hosts.read_text(encoding="utf-8"))["communes"]}
    later = tmp_path / "later.csv"
    later.write_text(
        "\ufeffprovince_code,province,code,kind,name\n"
        "22,Tỉnh Quảng Ninh,99991,phuong,Phường Mới Lập\n"  # a new unit
        "22,Tỉnh Quảng Ninh,06994,dac_khu,Đặc khu Vân Đồn Mới\n",  # a renamed one
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 0, proc.stderr
    assert "1 communes added, 1 updated" in proc.stdout
    after = {c["code"]: c for c in yaml.safe_load(hosts.read_text(encoding="utf-8"))["communes"]}
    assert after["99991"]["site"] == max(c["site"] for c in before.values()) + 1
    assert after["06994"]["name"] == "Đặc khu Vân Đồn Mới"
    assert {k: v["site"] for k, v in after.items() if k in before} == {
        k: v["site"] for k, v in before.items()
    }
    assert run_cli(empty_root, "inventory", "--format", "json").returncode == 0
    # A unit of a province hosts/ does not hold is refused, and nothing is written.
    text = hosts.read_bytes()
    later.write_text(
        "province_code,province,code,kind,name\n40,Tỉnh Nghệ An,17329,xa,Xã Anh Sơn\n",
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 2 and "province 40 is not in hosts/" in proc.stderr
    assert hosts.read_bytes() == text


def test_inventory_csv_has_a_bom_and_every_device() -> None:
    root = province_root()
    proc = run_cli(root, "inventory", "--format", "csv", "--filter", "code=14797,15766")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("\ufeffhost,province,code,commune,kind,role,model,mgmt ip\n")
    rows = proc.stdout.splitlines()[1:]
    assert len(rows) == 4 + 3  # a phường with two access switches, a xã with one
    assert any(",14797,Phường Hạc Thành,phuong,router," in r for r in rows)


def test_add_from_reports_every_bad_row_and_writes_nothing(
    empty_root: Path, tmp_path: Path
) -> None:
    assert run_cli(empty_root, "init", "-p", ",".join(QUANG_NINH)).returncode == 0
    hosts = empty_root / "hosts/communes.yaml"
    before = hosts.read_bytes()
    later = tmp_path / "later.csv"
    later.write_text(
        "province_code,province,code,kind,name\n"
        "22,Tỉnh Quảng Ninh,06994,dac_khu,Đặc khu Vân Đồn Mới\n"
        "22,Tỉnh Quảng Ninh,06994,dac_khu,Đặc khu Vân Đồn Khác\n"  # the same code again
        "2x,Tỉnh Quảng Ninh,99992,xa,Xã Hai\n"  # no such province code
        "22,Tỉnh Quảng Ninh,99993,xa,\n"  # no name
        "22,Tỉnh Quảng Ninh,99994,xa,Phường Bốn\n"  # the name says phường
        "22,Tỉnh Quảng Ninh,99995,thi_tran,Thị trấn Năm\n"  # no such kind since July 2025
        "22\n",  # a short row
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert proc.stderr.splitlines() == [
        f"error: {later}:3: row 3: commune 06994 is already on row 2; "
        "fix: keep one row per commune code",
        f"error: {later}:4: row 4: commune 99992: province_code '2x' is not one of the 34 "
        "province codes (e.g. 40); fix: correct the row",
        f"error: {later}:5: row 5: commune 99993: no name; fix: correct the row",
        f"error: {later}:6: row 6: commune 99994: name 'Phường Bốn' is not of kind 'xa'; "
        "fix: correct the row",
        f"error: {later}:7: row 7: commune 99995: kind 'thi_tran' is not xa, phuong or "
        "dac_khu; fix: correct the row",
        f"error: {later}:8: row 8: code '' is not a 5-digit commune code; fix: correct the row",
    ]
    assert hosts.read_bytes() == before


def test_add_from_renames_rekinds_and_keeps_the_unlisted(empty_root: Path, tmp_path: Path) -> None:
    """A rename keeps the short name (so the hostnames, backups and history) and says so;
    a kind change to đặc khu moves the commune to that group; communes the list leaves out
    are kept and counted; a repeated merge changes nothing."""
    assert run_cli(empty_root, "init", "-p", ",".join(QUANG_NINH)).returncode == 0
    hosts = empty_root / "hosts/communes.yaml"
    communes = yaml.safe_load(hosts.read_text(encoding="utf-8"))["communes"]
    renamed, chosen, rekinded = (c["code"] for c in communes[:3])
    text = hosts.read_text(encoding="utf-8")
    own = next(c for c in communes if c["code"] == chosen)
    text = text.replace(f"short_name: {own['short_name']}\n", "short_name: Tu Chon\n", 1)
    hosts.write_text(text, encoding="utf-8")
    later = tmp_path / "later.csv"
    later.write_text(
        "province_code,province,code,kind,name\n"
        f"22,Tỉnh Quảng Ninh,{renamed},phuong,Phường Đổi Tên\n"
        f"22,Tỉnh Quảng Ninh,{chosen},phuong,Phường Cũng Đổi\n"
        f"22,Tỉnh Quảng Ninh,{rekinded},dac_khu,Đặc khu Mới\n"
        "22,Tỉnh Quảng Ninh,99991,xa,Xã Mới Lập\n",
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 0, proc.stderr
    assert "1 communes added, 3 updated" in proc.stdout
    assert f"{len(communes) - 3} communes of hosts/ are not in {later}" in proc.stdout
    after = {c["code"]: c for c in yaml.safe_load(hosts.read_text(encoding="utf-8"))["communes"]}
    assert after[renamed]["name"] == "Phường Đổi Tên"
    assert (
        after[renamed]["short_name"]
        == next(c for c in communes if c["code"] == renamed)["short_name"]
    )
    assert "renamed communes keep their short_name" in proc.stdout and renamed in proc.stdout
    assert after[chosen]["short_name"] == "Tu Chon" and after[chosen]["name"] == "Phường Cũng Đổi"
    assert after[rekinded]["kind"] == "dac-khu"
    assert [after[c["code"]]["site"] for c in communes] == [c["site"] for c in communes]
    inventory = run_cli(empty_root, "inventory", "--format", "json", "--filter", "kind=dac-khu")
    assert inventory.returncode == 0, inventory.stderr
    rows = json.loads(inventory.stdout)
    assert {r["code"] for r in rows} == {"06994", "07192", rekinded}
    names = run_cli(empty_root, "inventory", "--format", "json", "--filter", f"code={renamed}")
    assert "doi-ten" not in {r["name"].rsplit("-", 2)[0] for r in json.loads(names.stdout)}
    again = hosts.read_bytes()
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert "0 communes added, 0 updated" in proc.stdout
    assert hosts.read_bytes() == again and b"99991" in again


def test_add_from_without_hosts_says_how_to_write_it(empty_root: Path, tmp_path: Path) -> None:
    later = tmp_path / "later.csv"
    later.write_text(
        "province_code,province,code,kind,name\n22,Tỉnh Quảng Ninh,99990,xa,Xã Mới\n",
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 2 and proc.stderr.splitlines() == [
        "error: hosts/communes.yaml: file: not found: there is no hosts/ to merge into; fix: "
        "write it first with `communelan init --province 22`, then merge again"
    ]
    assert not (empty_root / "hosts").exists()
    assert run_cli(empty_root, "init", "--province", "22").returncode == 0
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 0 and "1 communes added" in proc.stdout, proc.stderr


def test_add_from_another_province_hint_works(empty_root: Path, tmp_path: Path) -> None:
    assert run_cli(empty_root, "init", "-p", "22").returncode == 0
    later = tmp_path / "later.csv"
    later.write_text(
        "province_code,province,code,kind,name\n40,Tỉnh Nghệ An,99990,xa,Xã Mới\n",
        encoding="utf-8",
    )
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 2
    fix = proc.stderr.split("fix: ")[1]
    assert "`communelan init --province 22,40 --force`" in fix
    assert run_cli(empty_root, "init", "--province", "22,40", "--force").returncode == 0
    proc = run_cli(empty_root, "init", "--add-from", str(later))
    assert proc.returncode == 0 and "1 communes added" in proc.stdout, proc.stderr
    listed = run_cli(empty_root, "inventory", "--format", "json", "--filter", "code=99990")
    assert {r["province"] for r in json.loads(listed.stdout)} == {"40"}


def test_a_city_keeps_its_title_in_hosts_and_reports(tmp_path: Path) -> None:
    """The six centrally-run cities are "Thành phố", not "Tỉnh": hosts/ keeps the title the
    national list gives, so no report calls Hà Nội a province."""
    units = national_units()
    for code, written, title in (("01", "Thành phố Hà Nội", "Thành phố Hà Nội"),
                                 ("22", "Quảng Ninh", "Tỉnh Quảng Ninh")):  # fmt: skip
        init_hosts(tmp_path / code / "hosts", units, (code,), force=False)
        defaults = yaml.safe_load((tmp_path / code / "hosts/defaults.yaml").read_text("utf-8"))
        assert defaults["province"]["name"] == written
        assert province_title(written, "vi") == title
    assert defaults["province"]["domain"] == "quangninh.gov.vn"


def test_a_commune_of_a_province_hosts_does_not_hold(tmp_path: Path) -> None:
    """The hint writes hosts/ for every province named, so applying it works; a code that
    is no province gets only the codes hosts/ holds."""
    root = tmp_path / "national"
    shutil.copytree(province_root(QUANG_NINH), root, symlinks=True)
    communes = root / "hosts/communes.yaml"
    text = communes.read_text(encoding="utf-8")
    first = yaml.safe_load(text)["communes"][0]["code"]
    marker = f'  - code: "{first}"\n'
    communes.write_text(text.replace(marker, marker + '    province: "40"\n', 1), "utf-8")
    proc = run_cli(root, "inventory", "--format", "json")
    assert proc.returncode == 2 and len(proc.stderr.splitlines()) == 1, proc.stderr
    assert proc.stderr.endswith(
        f"commune {first}: province 40 is not defined in hosts/defaults.yaml; fix: use one of "
        "22, or write hosts/ for all with `communelan init --province 22,40 --force` (it "
        "rewrites hosts/: edits made to it are lost)\n"
    )
    assert run_cli(root, "init", "--province", "22,40", "--force").returncode == 0
    assert run_cli(root, "inventory", "--format", "json").returncode == 0
    text = communes.read_text(encoding="utf-8")
    communes.write_text(text.replace('province: "40"', 'province: "99"', 1), "utf-8")
    proc = run_cli(root, "inventory", "--format", "json")
    assert proc.returncode == 2 and "province 99 is not defined" in proc.stderr
    assert proc.stderr.rstrip().endswith("fix: use one of 22, 40"), proc.stderr
