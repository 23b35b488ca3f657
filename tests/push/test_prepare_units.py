"""Lab-free units of what a push prepares before it connects: every host pointed at its lab
address with the login and a known_hosts file of its own keys, the NAPALM options derived from
Netmiko's, the office's change order, the intended configs (rendered only when stale) and the
secrets a delivery reveals. The lab's files are written by the lab's own writers; nothing here
opens a session (fast enough for mutmut to run per mutant)."""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from nornir_config.connection import TIMEOUTS, prepare_connections
from nornir_config.errors import InputError
from nornir_config.lab.files import Endpoint, LabCredentials, write_credentials, write_endpoints
from nornir_config.project import Project, open_project
from nornir_config.push.access import waves
from nornir_config.push.intended import intended_configs
from nornir_config.push.session import _revealed, revealed
from nornir_config.settings import RunSettings, run_settings, set_run_settings
from tests.conftest import TEST_SECRETS, province_root

CODE = "14797"  # Hac Thanh: one router, one core switch, two access switches
OTHER = "16522"
KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl"


@pytest.fixture
def root(tmp_path: Path) -> Iterator[Path]:
    root = tmp_path / "root"
    root.mkdir()
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(province_root() / name)
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    yield root
    set_run_settings(previous)


def _project(*codes: str) -> Project:
    return open_project([f"code={','.join(codes)}"], connections=False)


def _lab_files(root: Path, names: list[str], keys_for: list[str]) -> dict[str, Endpoint]:
    """The lab's files as `lab up` writes them: endpoints on 127.44.0.x, a login, and a
    known_hosts file that knows the keys of `keys_for` (plus one unrelated host)."""
    lab_dir = root / ".lab"
    write_credentials(lab_dir, LabCredentials("lab-u", "lab-p", "lab-s"))
    endpoints = {
        n: Endpoint(f"127.44.0.{i + 1}", 44001 + i, "cisco_ios") for i, n in enumerate(names)
    }
    write_endpoints(lab_dir, endpoints, {n: n for n in names})
    lines = [f"[{endpoints[n].host}]:{endpoints[n].port} {KEY}\n" for n in keys_for]
    (lab_dir / "known_hosts").write_text("".join([*lines, f"[127.9.9.9]:1 {KEY}\n"]), "utf-8")
    return endpoints


def test_prepare_points_every_host_at_its_lab_device_with_its_own_keys(root: Path) -> None:
    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    endpoints = _lab_files(root, names, keys_for=names[:1])
    prepare_connections(project.nr, project.settings)
    for name in names:
        host = project.nr.inventory.hosts[name]
        assert (host.hostname, host.port) == (endpoints[name].host, endpoints[name].port)
        assert (host.username, host.password) == ("lab-u", "lab-p")
        netmiko = host.connection_options["netmiko"].extras
        napalm = host.connection_options["napalm"].extras
        assert netmiko is not None and napalm is not None
        own = Path(netmiko["alt_key_file"])
        assert own.name == name and own.parent.name.startswith("communelan-known-hosts-")
        expected = (
            f"[{endpoints[name].host}]:{endpoints[name].port} {KEY}\n" if name == names[0] else ""
        )
        assert own.read_text(encoding="utf-8") == expected  # its own key only, or none
        assert netmiko["secret"] == "lab-s" and netmiko["ssh_strict"] is True
        assert netmiko["auto_connect"] is False and netmiko["timeout"] == TIMEOUTS["timeout"]
        # NAPALM: its own timeout, Netmiko's options as optional_args (minus what NAPALM's
        # driver sets itself), Netmiko's read timeout, and the same own keys file
        assert napalm["timeout"] == TIMEOUTS["timeout"]
        optional = napalm["optional_args"]
        assert "timeout" not in optional and "auto_connect" not in optional
        assert optional["read_timeout_override"] == TIMEOUTS["timeout"]
        assert optional["alt_key_file"] == str(own)
        assert optional["secret"] == "lab-s" and optional["conn_timeout"] == 20
        assert {k: v for k, v in netmiko.items() if k not in ("timeout", "auto_connect")} == {
            k: v for k, v in optional.items() if k != "read_timeout_override"
        }


def test_prepare_keeps_extras_already_set(root: Path) -> None:
    """Options the inventory sets itself (a group's Netmiko or NAPALM extras) are kept."""
    from nornir.core.inventory import ConnectionOptions

    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    _lab_files(root, names, keys_for=[])
    host = project.nr.inventory.hosts[names[0]]
    host.connection_options["netmiko"] = ConnectionOptions(extras={"session_log": "x.log"})
    host.connection_options["napalm"] = ConnectionOptions(extras={"keep": 1})
    prepare_connections(project.nr, project.settings)
    netmiko = host.connection_options["netmiko"].extras
    napalm = host.connection_options["napalm"].extras
    assert netmiko is not None and netmiko["session_log"] == "x.log" and netmiko["fast_cli"]
    assert napalm is not None and napalm["keep"] == 1 and napalm["optional_args"]["fast_cli"]


def test_prepare_refuses_hosts_the_lab_does_not_run(root: Path) -> None:
    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    _lab_files(root, names[:1], keys_for=[])
    with pytest.raises(InputError) as refused:
        prepare_connections(project.nr, project.settings)
    (problem,) = refused.value.problems
    assert (problem.file, problem.item) == (str(root / ".lab"), "lab")
    assert problem.message == (
        f"{len(names) - 1} selected devices are not in the lab: {', '.join(names[1:])}"
    )
    assert problem.fix == "start the lab with them (communelan lab up) or narrow --filter"
    many = _project(CODE, OTHER)
    missing = sorted(set(many.nr.inventory.hosts) - {names[0]})
    assert len(missing) > 6
    with pytest.raises(InputError) as refused:
        prepare_connections(many.nr, many.settings)
    assert refused.value.problems[0].message == (
        f"{len(missing)} selected devices are not in the lab: {', '.join(missing[:5])}"
        f" and {len(missing) - 5} more"
    )
    five = [n for n in many.nr.inventory.hosts if n not in missing[:5]]
    _lab_files(root, five, keys_for=[])
    with pytest.raises(InputError) as refused:
        prepare_connections(many.nr, many.settings)
    assert refused.value.problems[0].message.endswith(": " + ", ".join(missing[:5]))


def test_prepare_without_a_running_lab_says_so(root: Path) -> None:
    project = _project(CODE)
    write_credentials(root / ".lab", LabCredentials("u", "p", "s"))
    with pytest.raises(InputError) as refused:
        prepare_connections(project.nr, project.settings)
    (problem,) = refused.value.problems
    assert (problem.file, problem.item, problem.message, problem.fix) == (
        str(root / ".lab"),
        "lab",
        "no lab is running here",
        "start it: communelan lab up",
    )


def test_waves_change_the_farthest_devices_first(root: Path) -> None:
    from nornir.core import Nornir
    from nornir.core.inventory import Defaults, Groups, Host, Hosts, Inventory

    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    router = next(n for n in names if "rt" in n)
    core = next(n for n in names if n.endswith("sw01"))
    access = [n for n in names if n not in (router, core)]
    assert len(access) == 2
    assert waves(project.nr, [router, *access, core]) == [access, [core], [router]]
    assert waves(project.nr, [router]) == [[router]]
    plain = Nornir(inventory=Inventory(Hosts({"x": Host("x")}), Groups(), Defaults()))
    assert waves(plain, ["x", "y"]) == [["x", "y"]]  # not a province: one wave


def test_intended_configs_render_only_when_stale(root: Path) -> None:
    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    out = root / "build" / "intended"
    chosen = names[:2]
    first = intended_configs(project, chosen, out)
    assert sorted(first) == chosen and sorted(p.stem for p in out.glob("*.cfg")) == chosen
    assert all(f"hostname {n}" in first[n] or n in first[n] for n in chosen)
    assert first[chosen[0]] == (out / f"{chosen[0]}.cfg").read_text(encoding="utf-8")
    # fresh files are read as they are, not rendered again
    future = time.time() + 600
    for name in chosen:
        (out / f"{name}.cfg").write_text(f"edited {name}\n", encoding="utf-8")
        os.utime(out / f"{name}.cfg", (future, future))
    assert intended_configs(project, chosen, out) == {n: f"edited {n}\n" for n in chosen}
    # one file older than the sources: the selection is rendered again
    past = time.time() - 10 * 365 * 86400
    os.utime(out / f"{chosen[1]}.cfg", (past, past))
    again = intended_configs(project, chosen, out)
    assert again == first
    # a missing file: rendered, the other hosts left out
    (out / f"{chosen[0]}.cfg").unlink()
    assert intended_configs(project, chosen[:1], out) == {chosen[0]: first[chosen[0]]}
    assert not (out / f"{names[2]}.cfg").exists()


def test_intended_configs_follow_an_edit_of_the_templates(tmp_path: Path) -> None:
    """A template newer than the intended file makes it stale, as an edit of hosts/ does."""
    import shutil

    root = tmp_path / "root"
    root.mkdir()
    source = province_root()
    (root / "hosts").symlink_to(source / "hosts")
    shutil.copytree(source / "templates", root / "templates")
    (root / "config.yaml").symlink_to(source / "config.yaml")
    previous = run_settings()
    set_run_settings(RunSettings(root=root, lab=True))
    try:
        project = _project(CODE)
        name = sorted(project.nr.inventory.hosts)[0]
        out = root / "build" / "intended"
        rendered = intended_configs(project, [name], out)[name]
        (out / f"{name}.cfg").write_text("old\n", encoding="utf-8")
        hosts_time = max(p.stat().st_mtime for p in source.joinpath("hosts").rglob("*"))
        os.utime(out / f"{name}.cfg", (hosts_time + 1, hosts_time + 1))
        template = next(p for p in (root / "templates").rglob("*") if p.is_file())
        os.utime(template, (hosts_time + 2, hosts_time + 2))
        assert intended_configs(project, [name], out)[name] == rendered
    finally:
        set_run_settings(previous)


def test_revealed_names_secrets_in_clear_only_for_the_device(root: Path) -> None:
    commands = ["ntp authentication-key 1 md5 <secret:ntp_key>", "logging host 10.0.0.1"]
    assert _revealed(commands) == [
        f"ntp authentication-key 1 md5 {TEST_SECRETS['ntp_key']}",
        "logging host 10.0.0.1",
    ]
    plain = ["logging host 10.0.0.1"]
    assert _revealed(plain) is plain  # nothing to reveal: the store is not read
    text = "a <secret:tacacs_key>\nb <secret:snmp_auth_key>"
    assert revealed(text) == f"a {TEST_SECRETS['tacacs_key']}\nb {TEST_SECRETS['snmp_auth_key']}"


def test_intended_configs_as_new_as_the_sources_are_fresh(root: Path) -> None:
    """A file dated exactly as the newest source is not stale (equal mtimes are common on a
    coarse file system clock); with no file under templates/ at all the sources' age is
    that of hosts/ alone."""
    project = _project(CODE)
    name = sorted(project.nr.inventory.hosts)[0]
    out = root / "build" / "intended"
    out.mkdir(parents=True)
    newest = max(p.stat().st_mtime for p in (root / "hosts").resolve().rglob("*") if p.is_file())
    (out / f"{name}.cfg").write_text("as new\n", encoding="utf-8")
    os.utime(out / f"{name}.cfg", (newest, newest))
    assert intended_configs(project, [name], out) == {name: "as new\n"}
    empty = root.parent / "no-templates"
    empty.mkdir()
    (root / "templates").unlink()
    (root / "templates").symlink_to(empty)
    assert intended_configs(project, [name], out) == {name: "as new\n"}


def test_revealed_reads_only_a_secrets_file_outside_the_project(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nornir_config.secrets import FILE_ENV, write_secrets_file

    inside = write_secrets_file(root / "secrets.yaml", {"ntp_key": "k"})
    monkeypatch.setenv(FILE_ENV, str(inside))
    with pytest.raises(InputError, match="inside the repository"):
        _revealed(["ntp authentication-key 1 md5 <secret:ntp_key>"])


def test_prepare_fills_connection_options_a_host_lacks(root: Path) -> None:
    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    _lab_files(root, names, keys_for=[])
    host = project.nr.inventory.hosts[names[0]]
    host.connection_options.clear()
    prepare_connections(project.nr, project.settings)
    netmiko = host.connection_options["netmiko"].extras
    napalm = host.connection_options["napalm"].extras
    assert netmiko is not None and netmiko["ssh_strict"] is True
    assert napalm is not None and napalm["optional_args"]["ssh_strict"] is True


def test_prepare_names_one_more_past_five(root: Path) -> None:
    many = _project(CODE, OTHER)
    names = sorted(many.nr.inventory.hosts)
    _lab_files(root, names[6:], keys_for=[])
    with pytest.raises(InputError) as refused:
        prepare_connections(many.nr, many.settings)
    assert refused.value.problems[0].message == (
        f"6 selected devices are not in the lab: {', '.join(names[:5])} and 1 more"
    )


def test_prepare_learns_keys_only_when_asked(root: Path, tmp_path: Path) -> None:
    """Without --accept-new-host-keys the known_hosts file is left as it is (not even made);
    with it, a missing file is made (mode 0600, its folders too) and an existing one kept.
    The devices here refuse connections: nothing is learnt, nothing is written."""
    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    _lab_files(root, names, keys_for=[])
    known = root / ".lab" / "known_hosts"
    known.unlink()
    prepare_connections(project.nr, project.settings)
    assert not known.exists()
    prepare_connections(project.nr, project.settings, accept_new_host_keys=True)
    assert known.read_text(encoding="utf-8") == "" and known.stat().st_mode & 0o777 == 0o600
    known.write_text(f"[127.9.9.9]:1 {KEY}\n", encoding="utf-8")
    prepare_connections(project.nr, project.settings, accept_new_host_keys=True)  # kept
    assert known.read_text(encoding="utf-8") == f"[127.9.9.9]:1 {KEY}\n"
    # outside the lab: the file the environment names, in folders that do not exist yet
    set_run_settings(RunSettings(root=root))
    plain = _project(CODE)
    for host in plain.nr.inventory.hosts.values():
        host.hostname, host.port = "127.0.0.1", 1  # nothing listens: refused at once
    nested = tmp_path / "a" / "b" / "known_hosts"
    env = {"COMMUNELAN_USERNAME": "u", "COMMUNELAN_PASSWORD": "p"}
    with pytest.MonkeyPatch.context() as patch:
        for key, value in {**env, "COMMUNELAN_KNOWN_HOSTS": str(nested)}.items():
            patch.setenv(key, value)
        prepare_connections(plain.nr, plain.settings, accept_new_host_keys=True)
    assert nested.read_text(encoding="utf-8") == "" and nested.stat().st_mode & 0o777 == 0o600


def test_prepare_keeps_every_key_of_a_host_and_removes_its_folder_at_exit(
    root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import atexit
    import shutil

    project = _project(CODE)
    names = sorted(project.nr.inventory.hosts)
    endpoints = _lab_files(root, names, keys_for=[])
    import paramiko

    second = paramiko.ECDSAKey.generate()  # a host often has keys of two types
    rsa = f"{second.get_name()} {second.get_base64()}"
    name = names[0]
    address = f"[{endpoints[name].host}]:{endpoints[name].port}"
    (root / ".lab" / "known_hosts").write_text(f"{address} {KEY}\n{address} {rsa}\n", "utf-8")
    registered: list[tuple[object, ...]] = []
    monkeypatch.setattr(atexit, "register", lambda *call: registered.append(call))
    prepare_connections(project.nr, project.settings)
    extras = project.nr.inventory.hosts[name].connection_options["netmiko"].extras
    assert extras is not None
    own = Path(extras["alt_key_file"])
    assert sorted(own.read_text(encoding="utf-8").splitlines()) == sorted(
        [f"{address} {KEY}", f"{address} {rsa}"]
    )
    assert registered == [(shutil.rmtree, own.parent, True)]
