"""The session code of a push, function by function, against the lab's real SSH server with
the real Netmiko and paramiko: login on each driver, reads that end at the prompt, a dropped
session, host keys learnt, config typed or delivered as a file, saves, the management access
check. Small labs (a device or two per test, started in a fraction of a second) and short read
timeouts, so that a broken read fails in seconds: fast enough for mutmut to run per mutant
(`bench/mutation.py --group conn-lab`).

The device's state is read from the lab device itself (its running and startup config, its
flash), never through the product's diff. References for the device side: Cisco IOS
Configuration Fundamentals ("Managing Configuration Files": `copy <file> running-config`, the
caret and `% Invalid input` under a refused line); Huawei AR CLI ("screen-length 0
temporary", `save` asking "[Y/N]"); H3C Comware 7 Fundamentals ("screen-length disable").
"""

from __future__ import annotations

import re
import socket
import threading
from pathlib import Path
from typing import Any

import pytest
from netmiko import ConnectHandler
from netmiko.base_connection import BaseConnection
from netmiko.exceptions import ConfigInvalidException, ReadException, ReadTimeout
from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import ConnectionOptions, Defaults, Groups, Host, Hosts, Inventory
from nornir.core.task import Result, Task
from nornir.plugins.runners import ThreadedRunner

from nornir_config import connection
from nornir_config.connection import (
    TIMEOUTS,
    close_all,
    fresh_login,
    get_running_config,
    hang_up,
    learn_host_key,
    login,
    open_netmiko,
    prepare_connections,
    read_until,
    run_command,
    send_lines,
)
from nornir_config.inventory import register_connection_plugins
from nornir_config.lab.files import known_hosts_path
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.lab.testing import LabFactory, RunningLab
from nornir_config.platforms import driver
from nornir_config.push.access import access_check
from nornir_config.push.session import (
    close,
    deliver,
    read_config,
    read_running,
    reopen,
    save_and_read,
    send_config,
)
from nornir_config.push.transfer import (
    TransferError,
    remove_delivery_file,
    save,
    type_texts,
    upload,
)
from tests.push.conftest import PushEnv

IOS = driver("cisco_ios")
VRP = driver("huawei_vrp")
COMWARE = driver("hp_comware")
MODELS = {"cisco_ios": "ISR4331", "huawei_vrp": "AR6120", "hp_comware": "MSR2630"}
DELIVERY_FILE = "communelan-merge.cfg"


@pytest.fixture(autouse=True)
def _short_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Reads give up after 5 s, not a minute: the lab answers in milliseconds, and a read that
    never ends (a broken pattern) then fails the test quickly."""
    monkeypatch.setitem(TIMEOUTS, "timeout", 5)
    register_connection_plugins()


def _nornir(lab: RunningLab, drivers: dict[str, str]) -> Nornir:
    """A plain Nornir (no province) whose hosts are these lab devices, set up as a push sets
    them up (`RunningLab.point`: the lab login, strict host keys, `ssh_options`)."""
    hosts = {
        name: Host(
            name,
            platform=lab.endpoints[name].device_type,
            data={"driver": name_of_driver},
            connection_options={"netmiko": ConnectionOptions()},
            defaults=Defaults(),
        )
        for name, name_of_driver in drivers.items()
    }
    nr = Nornir(
        inventory=Inventory(Hosts(hosts), Groups(), Defaults()),
        config=Config(),
        runner=ThreadedRunner(num_workers=4),
    )
    lab.point(nr)
    return nr


def _one(lab_factory: LabFactory, platform: str) -> tuple[RunningLab, Nornir, Host]:
    name = "R1"
    lab = lab_factory(specs=[LabDeviceSpec(name, name, MODELS[platform], "router")])
    nr = _nornir(lab, {name: platform})
    return lab, nr, nr.inventory.hosts[name]


def _writes(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every write a Netmiko session makes from now on (the real write still happens)."""
    writes: list[str] = []
    write = BaseConnection.write_channel

    def spy(self: BaseConnection, out_data: str) -> None:
        writes.append(out_data)
        write(self, out_data)

    monkeypatch.setattr(BaseConnection, "write_channel", spy)
    return writes


SHOW = {"cisco_ios": "show running-config", "huawei_vrp": "display current-configuration"}
SHOW["hp_comware"] = SHOW["huawei_vrp"]
CLOCK = {"cisco_ios": "show clock", "huawei_vrp": "display clock", "hp_comware": "display clock"}


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp", "hp_comware"])
def test_login_reads_in_its_setup_write_on_each_driver(
    lab_factory: LabFactory, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Setup and the first command in one write; the prompt learnt from the echo is the one
    Netmiko's own `set_base_prompt` finds; the text is what Netmiko's send_command reads
    on the session after; paging is off (the whole config in one read)."""
    _lab, nr, host = _one(lab_factory, platform)
    writes = _writes(monkeypatch)
    conn, text = login(host, nr.config, SHOW[platform])
    setup = driver(platform).commands.session_setup
    assert writes == ["\n".join([*setup, SHOW[platform]]) + "\n"]
    assert conn.base_prompt == "R1"
    assert conn.find_prompt().strip("<>[]#") == "R1"
    assert text is not None and "---- More ----" not in text and "--More--" not in text
    volatile = re.compile(r"(Current configuration|! Last configuration|#? ?\d\d:\d\d:\d\d)")

    def stable(shown: str) -> list[str]:
        return [ln for ln in shown.splitlines() if ln.strip() and not volatile.search(ln)]

    # the same command read on its own on this session (Netmiko's read: echo and prompt off)
    theirs = str(conn.send_command(SHOW[platform], read_timeout=5))
    assert stable(text) == stable(theirs) and len(stable(text)) > 10
    assert any(re.fullmatch(r"(hostname|sysname) R1", ln.strip()) for ln in text.splitlines())
    assert not text.rstrip().endswith(">") and not text.rstrip().endswith("#")
    assert SHOW[platform] not in text  # echo stripped
    writes.clear()
    clock = run_command(conn, CLOCK[platform])
    assert writes == [CLOCK[platform] + "\n"]
    assert re.search(r"\d\d:\d\d:\d\d", clock) and CLOCK[platform] not in clock
    assert "R1" not in clock.splitlines()[-1]  # prompt stripped
    assert login(host, nr.config, SHOW[platform]) == (conn, None)  # open already
    assert open_netmiko(host, nr.config) is conn
    hang_up(host)
    assert "netmiko" not in host.connections and conn.remote_conn is None
    again, none = login(host, nr.config)
    assert none is None and again is not conn and again.base_prompt == "R1"
    assert run_command(again, CLOCK[platform])  # the setup's answers were read off
    close_all(nr)
    assert "netmiko" not in host.connections


def test_get_running_config_and_read_running(push_env: PushEnv) -> None:
    """The task on a new session (read in the login's write) and on an open one."""
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    name = push_env.names[0]
    one = project.nr.filter(name=name)
    first = one.run(task=get_running_config)[name][0].result
    assert first.startswith("Building configuration") and push_env.running(name).rstrip() in first
    second = one.run(task=lambda task: Result(host=task.host, result=read_running(task)))
    assert second[name][0].result == first
    close_all(project.nr)


def test_reads_end_at_the_prompt_and_keep_what_follows(lab_factory: LabFactory) -> None:
    lab, nr, host = _one(lab_factory, "cisco_ios")
    conn = open_netmiko(host, nr.config)
    conn.write_channel("show clock\n")
    echo = read_until(conn, "show clock")
    rest = read_until(conn, r"\nR1#")
    assert echo.endswith("show clock") and rest[0] in "\r\n" and "UTC" in rest
    both = send_lines(conn, ["show clock", "show users"])
    assert both.count("UTC") == 1 and both.rstrip().endswith("R1#")
    assert both.index("show clock") < both.index("UTC") < both.index("show users")
    lab.set_faults("R1", latency=0.3)  # the answer comes later than the first look
    assert "UTC" in run_command(conn, "show clock")
    lab.clear_faults("R1")
    conn.write_channel("show clock\n")
    with pytest.raises(ReadTimeout, match="never-printed"):
        conn.read_timeout_override = 0.5
        read_until(conn, "never-printed")
    conn.read_timeout_override = None
    hang_up(host)


def test_read_through_a_vrp_prompt(lab_factory: LabFactory) -> None:
    """VRP wraps its name in the prompt (`<R1>`, `[R1]`): the read still ends there."""
    _lab, nr, host = _one(lab_factory, "huawei_vrp")
    conn = open_netmiko(host, nr.config)
    out = send_lines(conn, ["display clock"])
    assert out.rstrip().endswith("<R1>") and re.search(r"\d\d:\d\d:\d\d", out)
    out = send_lines(conn, ["system-view", "sysname R1"])
    assert out.rstrip().endswith("[R1]")
    hang_up(host)


def test_a_dropped_session_fails_its_read_at_once(lab_factory: LabFactory) -> None:
    """A device that cuts the session: the read says so (ReadException), not a timeout, on a
    session of `login` and on a plain Netmiko one."""
    lab, nr, host = _one(lab_factory, "cisco_ios")
    conn = open_netmiko(host, nr.config)
    lab.set_faults("R1", drop_after=0)
    conn.write_channel("configure terminal\nlogging buffered 4096\n")
    with pytest.raises(ReadException, match="closed the session"):
        read_until(conn, "never-printed")
    hang_up(host)
    # Netmiko's own reads on a session of `login` (its send_config_set's loop): once all the
    # device sent is read, the next read says the session is closed (not "no output yet")
    conn = open_netmiko(host, nr.config)
    conn.write_channel("configure terminal\nlogging buffered 4096\n")
    channel = conn.remote_conn
    while channel.recv(65535):  # paramiko's own read, to the end of what the device sent
        pass
    with pytest.raises(ReadException, match=r"^the device closed the session$"):
        conn.read_channel()
    hang_up(host)
    plain = ConnectHandler(**lab.netmiko_params("R1"))
    plain.write_channel("configure terminal\nlogging buffered 4096\n")
    with pytest.raises(ReadException, match=r"^the device closed the session$"):
        read_until(plain, "never-printed")
    plain.paramiko_cleanup()
    # and once all it sent is read: nothing more will come, the read does not wait for it
    plain = ConnectHandler(**lab.netmiko_params("R1"))
    plain.write_channel("configure terminal\nlogging buffered 4096\n")
    while plain.remote_conn.recv(65535):
        pass
    with pytest.raises(ReadException, match=r"^the device closed the session$"):
        read_until(plain, "never-printed")
    plain.paramiko_cleanup()


def test_fresh_login_keeps_the_open_session_and_names_a_refusal(lab_factory: LabFactory) -> None:
    lab, nr, host = _one(lab_factory, "cisco_ios")
    conn = open_netmiko(host, nr.config)
    fresh_login(host, nr.config, pause=0)
    assert host.connections["netmiko"].connection is conn and conn.remote_conn is not None
    assert "UTC" in run_command(conn, "show clock")  # the kept session still works
    lab.set_faults("R1", reject_credentials=True)
    with pytest.raises(Exception) as refused:
        fresh_login(host, nr.config, attempts=2, pause=0)
    assert connection.why(refused.value) == "authentication failed"
    assert host.connections["netmiko"].connection is conn
    hang_up(host)
    with pytest.raises(Exception):  # noqa: B017 - any refusal, named by `why`
        fresh_login(host, nr.config, attempts=1, pause=0)
    assert "netmiko" not in host.connections  # the failed one is not left open


def test_learn_host_key_records_only_unknown_keys(lab_factory: LabFactory, tmp_path: Path) -> None:
    lab = lab_factory()
    nr = _nornir(lab, {"LAB-R1": "cisco_ios", "LAB-S1": "cisco_ios"})
    known = tmp_path / "known_hosts"
    lab_lines = known_hosts_path(lab.lab_dir).read_text(encoding="utf-8").splitlines()
    r1 = next(ln for ln in lab_lines if f":{lab.endpoints['LAB-R1'].port} " in ln)
    s1 = next(ln for ln in lab_lines if f":{lab.endpoints['LAB-S1'].port} " in ln)
    known.write_text(r1 + "\n", encoding="utf-8")
    results = nr.run(task=learn_host_key, known_hosts=known)
    assert results["LAB-R1"][0].result == "known" and not results["LAB-R1"][0].changed
    assert results["LAB-S1"][0].result == "learned" and results["LAB-S1"][0].changed
    assert known.read_text(encoding="utf-8") == f"{r1}\n{s1}\n"  # the device's own key
    lab.set_faults("LAB-S1", refuse_connections=True)
    missing = tmp_path / "absent" / "known_hosts"
    missing.parent.mkdir()
    results = nr.run(task=learn_host_key, known_hosts=missing)
    assert results["LAB-S1"][0].result.startswith("unreachable: ")
    assert missing.read_text(encoding="utf-8") == f"{r1}\n"
    lab.clear_faults()
    # a listener that is not an SSH server: no key, nothing written
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(1)

    def hang_up_at_once() -> None:
        peer, _ = server.accept()
        peer.close()

    threading.Thread(target=hang_up_at_once, daemon=True).start()
    host = nr.inventory.hosts["LAB-S1"]
    host.hostname, host.port = "127.0.0.1", server.getsockname()[1]
    results = nr.filter(name="LAB-S1").run(task=learn_host_key, known_hosts=missing)
    server.close()
    assert results["LAB-S1"][0].result.startswith("no key: ")
    assert missing.read_text(encoding="utf-8") == f"{r1}\n"


def test_prepare_with_accept_new_host_keys_learns_then_logs_in(push_env: PushEnv) -> None:
    project = push_env.project()
    known = known_hosts_path(push_env.lab.lab_dir)
    known.unlink()
    prepare_connections(project.nr, project.settings, accept_new_host_keys=True)
    assert known.stat().st_mode & 0o777 == 0o600
    assert len(known.read_text(encoding="utf-8").splitlines()) == len(push_env.names)
    name = push_env.names[0]
    host = project.nr.inventory.hosts[name]
    assert open_netmiko(host, project.nr.config).base_prompt == name[:16]
    close_all(project.nr)


def _config(lab: RunningLab, name: str) -> str:
    """The device's running config as its dialect prints it (read on the lab's loop)."""
    device = lab.device(name)
    return str(lab.call(device.body if hasattr(device, "body") else device.text))


def _conn(lab: RunningLab, name: str) -> Any:
    return ConnectHandler(**lab.netmiko_params(name, read_timeout_override=5))


def test_send_config_applies_lines_and_a_banner_and_stops_at_a_refusal(
    lab_factory: LabFactory,
) -> None:
    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")
    with _conn(lab, "LAB-R1") as conn:
        banner = "banner motd ^\nAUTHORISED USE ONLY\n^"
        output = send_config(conn, ["logging buffered 64000", "hostname LAB-R9", banner], IOS)
        assert conn.base_prompt == "LAB-R9" and conn.find_prompt() == "LAB-R9#"
        assert "configure terminal" in output and output.rstrip().endswith("LAB-R9#")
        body = lab.call(device.body)
        assert "logging buffered 64000" in body and "AUTHORISED USE ONLY" in body
        lab.set_faults("LAB-R1", reject_commands=["^ip domain name"])
        with pytest.raises(ConfigInvalidException):
            send_config(conn, ["ip domain name x.vn", "logging buffered 8192"], IOS)
        assert "logging buffered 8192" not in lab.call(device.body)  # stopped there
    lab.clear_faults()
    with _conn(lab, "LAB-R1") as conn:
        lab.set_faults("LAB-R1", reject_commands=["^banner"])
        with pytest.raises(ConfigInvalidException, match="banner motd"):
            send_config(conn, ["banner motd ^\nREFUSED\n^"], IOS)
        assert "REFUSED" not in lab.call(device.body)


def test_send_config_on_a_driver_that_reads_no_echo(lab_factory: LabFactory) -> None:
    """Netmiko's Comware driver does not check echoes: the lines go in one go and a refusal
    is found in the output after."""
    lab, nr, host = _one(lab_factory, "hp_comware")
    conn = open_netmiko(host, nr.config)
    assert conn.global_cmd_verify is False
    send_config(conn, ["info-center loghost 192.0.2.7"], COMWARE)
    assert "info-center loghost 192.0.2.7" in _config(lab, "R1")
    assert conn.find_prompt() == "<R1>"  # back in user view
    lab.set_faults("R1", reject_commands=["^ntp-service"])
    with pytest.raises(ConfigInvalidException, match=r"Invalid input detected: %"):
        send_config(conn, ["ntp-service unicast-server 192.0.2.1"], COMWARE)
    hang_up(host)


def test_deliver_as_a_file_then_typed_when_the_file_cannot_be_written(
    lab_factory: LabFactory,
) -> None:
    """Each way a change goes (file, typed, banner only) ends applied, saved (unless asked
    not to) and read back; the delivery file never stays on flash."""
    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")

    def startup() -> str:
        return str(lab.call(lambda: device.startup))

    with _conn(lab, "LAB-R1") as conn:
        nothing = deliver(conn, [], IOS, save=False)
        assert nothing.output == "" and nothing.running.startswith("Building configuration")
        assert lab.call(device.body).rstrip() in nothing.running
        result = deliver(conn, ["logging buffered 32000", "ip domain name a.vn"], IOS)
        assert "bytes copied" in result.output
        body = lab.call(device.body)
        assert "logging buffered 32000" in body and "ip domain name a.vn" in body
        assert body.rstrip() in result.running and startup() == body  # saved, read back
        assert DELIVERY_FILE not in device.flash.files  # deleted after the copy
        unsaved = deliver(conn, ["logging buffered 31000"], IOS, save=False)
        assert "logging buffered 31000" in unsaved.running
        assert "logging buffered 31000" not in startup()
        # a line Tcl would change ({ }): typed line by line instead, same end
        braces = "alias exec brace show {x}"
        result = deliver(conn, [braces, "ip domain name b.vn"], IOS)
        assert "bytes copied" not in result.output and "configure terminal" in result.output
        assert braces in lab.call(device.body) and DELIVERY_FILE not in device.flash.files
        assert braces in result.running and braces in startup()
        # only a banner: typed, no file
        result = deliver(conn, ["banner motd ^\nONLY A BANNER\n^"], IOS)
        assert "copy" not in result.output and "ONLY A BANNER" in lab.call(device.body)
        assert "ONLY A BANNER" in result.running and "ONLY A BANNER" in startup()
        # no room on flash: nothing changed by the failed upload, then typed
        lab.set_faults("LAB-R1", flash_full=True)
        result = deliver(conn, ["logging buffered 16000"], IOS, save=False)
        assert "logging buffered 16000" in lab.call(device.body)
        assert "logging buffered 16000" in result.running
        assert DELIVERY_FILE not in device.flash.files
        lab.clear_faults()
        # a refused line in the file: named, the rest applied (IOS goes on), the file deleted
        lab.set_faults("LAB-R1", reject_commands=["^ip domain name c"])
        with pytest.raises(ConfigInvalidException, match=r"ip domain name c\.vn"):
            deliver(conn, ["ip domain name c.vn", "logging buffered 12000"], IOS)
        assert DELIVERY_FILE not in device.flash.files
        lab.clear_faults()
        after = send_lines(conn, ["show clock"])  # the session is still in step
        assert after.lstrip("\r\n").startswith("show clock"), after


def test_deliver_types_where_the_driver_has_no_file_delivery(lab_factory: LabFactory) -> None:
    lab, nr, host = _one(lab_factory, "huawei_vrp")
    conn = open_netmiko(host, nr.config)
    assert VRP.file_delivery is None
    result = deliver(
        conn, ["info-center loghost 192.0.2.9", "ntp-service unicast-server 192.0.2.1"], VRP
    )
    assert "info-center loghost 192.0.2.9" in _config(lab, "R1")
    assert "ntp-service unicast-server 192.0.2.1" in _config(lab, "R1")
    assert result.output.rstrip().endswith("<R1>") and "system-view" in result.output
    assert "info-center loghost 192.0.2.9" in result.running
    assert "info-center loghost 192.0.2.9" in lab.call(lambda: lab.device("R1").saved)
    assert not lab.device("R1").flash.files.get(DELIVERY_FILE)
    hang_up(host)


@pytest.mark.parametrize("platform", ["huawei_vrp", "hp_comware"])
def test_a_typed_rename_is_applied_and_its_new_prompt_learnt(
    lab_factory: LabFactory, platform: str
) -> None:
    """A `sysname` typed line by line changes the prompt (`[R1]` to `[R1-NEW]`): the read
    after its echo must not wait for the old name (it used to time out after 60 s), and the
    session goes on under the new one."""
    lab, nr, host = _one(lab_factory, platform)
    conn = open_netmiko(host, nr.config)
    rename = driver(platform).commands.rename
    result = deliver(conn, [f"{rename}R1-NEW"], driver(platform))
    assert conn.base_prompt == "R1-NEW"
    assert f"{rename}R1-NEW" in _config(lab, "R1")
    assert f"{rename}R1-NEW" in result.running
    assert result.output.rstrip().endswith("<R1-NEW>")
    hang_up(host)


def test_upload_refuses_what_tcl_would_change_and_a_full_flash(lab_factory: LabFactory) -> None:
    lab = lab_factory(routers=1, switches=0)
    settings = IOS.file_delivery
    assert settings is not None
    with _conn(lab, "LAB-R1") as conn:
        with pytest.raises(TransferError, match="Tcl"):
            upload(conn, settings, "alias exec x show {y}\n")
        lab.set_faults("LAB-R1", flash_full=True)
        with pytest.raises(TransferError, match=r"^file not written: .+"):
            upload(conn, settings, "logging buffered 4096\nend\n")
        lab.clear_faults()
        upload(conn, settings, "logging buffered 4096\nend\n")
        data = lab.device("LAB-R1").flash.files[DELIVERY_FILE].data  # as Tcl's puts writes it
        assert data == b"\nlogging buffered 4096\nend\n\n"
        remove_delivery_file(conn, IOS)
        assert DELIVERY_FILE not in lab.device("LAB-R1").flash.files


def test_type_texts_names_a_refused_banner(lab_factory: LabFactory) -> None:
    lab = lab_factory(routers=1, switches=0)
    settings = IOS.file_delivery
    assert settings is not None
    with _conn(lab, "LAB-R1") as conn:
        out = type_texts(
            conn, settings, ["banner motd ^\nTYPED\n^"], IOS.commands.error_pattern, []
        )
        assert "TYPED" in lab.call(lab.device("LAB-R1").body) and out.rstrip().endswith("#")
        lab.set_faults("LAB-R1", reject_commands=["^banner"])
        with pytest.raises(ConfigInvalidException, match="banner"):
            type_texts(conn, settings, ["banner motd ^\nNO\n^"], IOS.commands.error_pattern, [])
        # exec commands before it are not checked (a delete of a file that is not there)
        lab.clear_faults()
        out = type_texts(conn, settings, [], IOS.commands.error_pattern, ["dir flash:"])
        assert "Directory of flash:" in out


@pytest.mark.parametrize("platform", ["cisco_ios", "huawei_vrp"])
def test_save_then_read_in_one_write(
    lab_factory: LabFactory, platform: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The save (VRP's question answered ahead) and the read back in one write; the startup
    config is the running one after."""
    lab, nr, host = _one(lab_factory, platform)
    conn = open_netmiko(host, nr.config)
    platform_of = driver(platform)
    change = (
        "logging buffered 24000" if platform == "cisco_ios" else "info-center loghost 192.0.2.4"
    )
    send_config(conn, [change], platform_of)
    device = lab.device("R1")
    writes = _writes(monkeypatch)
    running = save_and_read(conn, platform_of)
    assert len(writes) == 1
    assert change in running and platform_of.commands.show_config not in running
    assert change in lab.call(lambda: device.startup if platform == "cisco_ios" else device.body())
    assert read_config(conn, platform_of).splitlines()[-3:] == running.splitlines()[-3:]
    hang_up(host)


def test_save_refuses_when_a_command_before_it_is_refused(lab_factory: LabFactory) -> None:
    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")
    with _conn(lab, "LAB-R1") as conn:
        send_config(conn, ["logging buffered 20000"], IOS)
        # the save is typed ahead, so the device runs it all the same: the refusal is said
        with pytest.raises(ConfigInvalidException, match="refused 'bogus-command'"):
            save(conn, IOS.commands, first=["bogus-command"])
        assert save(conn, IOS.commands, first=["dir flash:"]) is None  # accepted: saved
        assert "logging buffered 20000" in lab.call(lambda: device.startup)


def test_reopen_after_a_drop_and_give_up_when_refused(lab_factory: LabFactory) -> None:
    lab, nr, host = _one(lab_factory, "cisco_ios")

    def session(task: Task) -> Result:
        old = open_netmiko(task.host, task.nornir.config)
        new = reopen(task, pause=0)
        assert new is not old and old.remote_conn is None
        assert "UTC" in run_command(new, "show clock")
        close(task, "netmiko")
        assert "netmiko" not in task.host.connections
        close(task, "netmiko")  # nothing open: nothing to do
        with lab.faults("R1", refuse_connections=True):
            reopen(task, attempts=2, pause=0)
        return Result(host=task.host)

    result = nr.run(task=session)["R1"]
    assert result.failed and result.exception is not None
    assert connection.failure_reason(result.exception).endswith("(cause: connection refused)")
    assert "UTC" in run_command(open_netmiko(host, nr.config), "show clock")  # reachable again
    hang_up(host)


def test_access_check_names_the_device_that_cannot_be_reached(
    push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each failed login is tried twice, a second apart (the pauses are recorded, not waited)."""
    slept: list[float] = []
    monkeypatch.setattr(connection.time, "sleep", slept.append)
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    names = push_env.names
    router = next(n for n in names if "rt" in n)
    core = next(n for n in names if n.endswith("sw01"))
    access = [n for n in names if n not in (router, core)]
    check = access_check(project.nr, skip=lambda name: name == access[1])
    assert check(core) is None and check(router) is None
    refused = (
        "failed: NetmikoTimeoutException: TCP connection to device failed "
        "(cause: connection refused)"
    )
    push_env.lab.set_faults(access[0], refuse_connections=True)
    for through in (core, router):
        assert check(through) == f"a fresh login to {access[0]} (behind it) {refused}"
    assert check(access[0]) == f"a fresh login to it {refused}"
    push_env.lab.clear_faults()
    push_env.lab.set_faults(access[1], refuse_connections=True)
    assert check(core) is None  # skipped: it was unreachable before
    reason = check(access[1])
    assert reason is not None and reason.startswith("a fresh login to it failed: ")
    push_env.lab.clear_faults()
    push_env.lab.set_faults(core, reject_credentials=True)
    slept.clear()
    assert check(core) == "a fresh login to it failed: authentication failed"
    assert slept == [1.0, 2.0]
    assert check("not-in-the-inventory") is None
    close_all(project.nr)


def test_get_running_config_reads_in_the_login_write(
    push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A session opened for the read sends setup and command in one write, nothing more."""
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    name = push_env.names[0]
    writes = _writes(monkeypatch)
    text = project.nr.filter(name=name).run(task=get_running_config)[name][0].result
    assert writes == ["terminal width 511\nterminal length 0\nshow running-config\n"]
    assert text.startswith("Building configuration")
    close_all(project.nr)


def test_learn_host_key_once_for_two_names_of_one_device(
    lab_factory: LabFactory, tmp_path: Path
) -> None:
    """Two inventory hosts at one address learn at once: the key is written once (checked
    again under the lock)."""
    lab = lab_factory(routers=1, switches=0)
    nr = _nornir(lab, {"LAB-R1": "cisco_ios"})
    twin = Host(
        "TWIN",
        hostname=nr.inventory.hosts["LAB-R1"].hostname,
        port=nr.inventory.hosts["LAB-R1"].port,
        defaults=Defaults(),
    )
    nr.inventory.hosts["TWIN"] = twin
    known = tmp_path / "known_hosts"
    results = nr.run(task=learn_host_key, known_hosts=known)
    assert {results[n][0].result for n in ("LAB-R1", "TWIN")} <= {"learned", "known"}
    assert len(known.read_text(encoding="utf-8").splitlines()) == 1


def test_access_check_of_a_plain_inventory_and_past_a_skipped_device(
    lab_factory: LabFactory, push_env: PushEnv, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without a province the device alone is checked; a skipped device behind does not end
    the check of the others behind it."""
    monkeypatch.setattr(connection.time, "sleep", lambda seconds: None)  # the retry's pause
    lab = lab_factory(routers=1, switches=0)
    plain = _nornir(lab, {"LAB-R1": "cisco_ios"})
    assert access_check(plain, skip=lambda name: False)("LAB-R1") is None
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    names = push_env.names
    core = next(n for n in names if n.endswith("sw01"))
    router = next(n for n in names if "rt" in n)
    access = [n for n in names if n not in (router, core)]
    for skipped, refused in ((access[0], access[1]), (access[1], access[0])):
        push_env.lab.set_faults(refused, reject_credentials=True)
        reason = access_check(project.nr, skip=lambda name, s=skipped: name == s)(core)
        assert reason == f"a fresh login to {refused} (behind it) failed: authentication failed"
        push_env.lab.clear_faults()
    close_all(project.nr)


def test_reopen_tries_three_times_a_second_more_each(
    lab_factory: LabFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    from nornir_config.push import session as session_module

    lab, nr, _host = _one(lab_factory, "cisco_ios")
    slept: list[float] = []
    monkeypatch.setattr(session_module.time, "sleep", slept.append)
    lab.set_faults("R1", refuse_connections=True)
    result = nr.run(task=lambda task: Result(host=task.host, result=reopen(task)))["R1"]
    lab.clear_faults()
    assert result.failed and slept == [1.0, 2.0, 3.0]


def test_deliver_learns_a_new_hostname_and_types_a_banner_after_the_file(
    lab_factory: LabFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")
    with _conn(lab, "LAB-R1") as conn:
        commands = ["hostname LAB-R7", "logging buffered 30000", "banner motd ^\nAFTER FILE\n^"]
        result = deliver(conn, commands, IOS)
        assert conn.base_prompt == "LAB-R7" and result.output.rstrip().endswith("LAB-R7#")
        assert "hostname LAB-R7" in result.running
        body = lab.call(device.body)
        assert "hostname LAB-R7" in body and "AFTER FILE" in body
        assert DELIVERY_FILE not in device.flash.files
        # two refused lines: the first named, the count of the others
        lab.set_faults("LAB-R1", reject_commands=["^ip domain name", "^ip name-server"])
        lines = ["ip domain name d.vn", "ip name-server 192.0.2.53", "logging buffered 9000"]
        with pytest.raises(
            ConfigInvalidException,
            match=re.escape(
                "invalid input at 'ip domain name d.vn' and 1 more: "
                "['ip domain name d.vn', 'ip name-server 192.0.2.53']"
            ),
        ):
            deliver(conn, lines, IOS)
        lab.clear_faults()
        lab.set_faults("LAB-R1", reject_commands=["^ip domain name"])
        with pytest.raises(
            ConfigInvalidException, match=re.escape("invalid input at 'ip domain name e.vn': [")
        ):
            deliver(conn, ["ip domain name e.vn", "logging buffered 8000"], IOS)
        lab.clear_faults()


def test_a_copy_that_fails_is_named(lab_factory: LabFactory) -> None:
    """A delivery file that is not there (deleted meanwhile): IOS answers `%Error opening`,
    and the copy's failure is named with it."""
    from nornir_config.connection import write_lines
    from nornir_config.push.transfer import apply_answer

    lab = lab_factory(routers=1, switches=0)
    settings = IOS.file_delivery
    assert settings is not None
    with (
        _conn(lab, "LAB-R1") as conn,
        pytest.raises(
            ConfigInvalidException, match=r"^copy into the running config failed: %Error opening"
        ),
    ):
        write_lines(conn, [settings.apply.format(path=settings.path), ""])
        apply_answer(conn, settings, IOS.commands.error_pattern, 10)


def test_save_and_type_write_only_their_lines(
    lab_factory: LabFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    lab = lab_factory(routers=1, switches=0)
    settings = IOS.file_delivery
    assert settings is not None
    with _conn(lab, "LAB-R1") as conn:
        writes = _writes(monkeypatch)
        assert save(conn, IOS.commands, first=["dir flash:"]) is None
        assert writes == ["dir flash:\nwrite memory\n"]  # no answer: IOS does not ask
        writes.clear()
        type_texts(conn, settings, [], IOS.commands.error_pattern, ["dir flash:"])
        assert writes == ["dir flash:\n"]  # no banner: config mode is not entered
        lab.set_faults("LAB-R1", reject_commands=["^banner"])
        # typed lines come back behind their prompt: the first refused one is named
        first = re.escape("invalid input at 'LAB-R1(config)#banner motd ^': [")
        with pytest.raises(ConfigInvalidException, match=f"^{first}"):
            type_texts(conn, settings, ["banner motd ^\nNO\n^"], IOS.commands.error_pattern, [])
        lab.clear_faults()
        with pytest.raises(TransferError) as refused:
            upload(conn, settings, "x {y}\n")
        assert str(refused.value) == "the change holds characters Tcl would not keep as they are"
        with pytest.raises(ConfigInvalidException, match="refused 'bogus'"):
            save_and_read(conn, IOS, first=["bogus"])


def test_save_on_vrp_answers_its_question_and_finds_its_own_echo(
    lab_factory: LabFactory,
) -> None:
    """VRP asks before it saves (answered ahead); a command before the save whose text holds
    `save` is not taken for the save; an answer that keeps the config unsaved is a failure."""
    import dataclasses

    lab, nr, host = _one(lab_factory, "huawei_vrp")
    conn = open_netmiko(host, nr.config)
    send_config(conn, ["interface GigabitEthernet0/0/1", "description save-link"], VRP)
    with pytest.raises(ConfigInvalidException, match="refused 'bogus save'"):
        save(conn, VRP.commands, first=["bogus save"])
    with pytest.raises(ConfigInvalidException, match="refused 'save-link'"):
        save(conn, VRP.commands, then=VRP.commands.show_config, first=["save-link"])
    running = save(conn, VRP.commands, then=VRP.commands.show_config, first=["display clock"])
    assert running is not None and "description save-link" in running
    assert "description save-link" in lab.call(lambda: lab.device("R1").saved)
    keep = dataclasses.replace(VRP.commands, save_answer="n")
    with pytest.raises(
        ConfigInvalidException, match=r"^saving failed: Info: The configuration was not saved\."
    ):
        save(conn, keep)
    hang_up(host)


def test_send_config_writes_each_line_once_and_no_mode_checks(
    lab_factory: LabFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Config mode entered and left by the prompt alone: no newline sent to ask the mode."""
    lab = lab_factory(routers=1, switches=0)
    with _conn(lab, "LAB-R1") as conn:
        writes = _writes(monkeypatch)
        send_config(conn, ["logging buffered 50000", "ip domain name w.vn"], IOS)
        assert writes == [
            "configure terminal\n",
            "logging buffered 50000\n",
            "ip domain name w.vn\n",
            "end\n",
        ]


def test_close_all_closes_the_sessions_of_failed_hosts_too(push_env: PushEnv) -> None:
    """A host whose task failed still has its sessions closed (NAPALM's included)."""
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    name = push_env.names[0]
    host = project.nr.inventory.hosts[name]
    napalm = host.get_connection("napalm", project.nr.config)
    assert napalm.is_alive()["is_alive"]
    open_netmiko(host, project.nr.config)
    project.nr.data.failed_hosts.add(name)
    close_all(project.nr)
    assert "napalm" not in host.connections and "netmiko" not in host.connections


def test_a_config_that_names_its_own_show_command_is_read_whole(push_env: PushEnv) -> None:
    """An alias holding `show running-config` prints that text inside the config: the output
    starts after the command's echo, not at the alias."""
    name = push_env.names[0]
    with _conn(push_env.lab, name) as conn:
        send_config(conn, ["alias exec src show running-config"], IOS)
    project = push_env.project()
    prepare_connections(project.nr, project.settings)
    text = project.nr.filter(name=name).run(task=get_running_config)[name][0].result
    assert (
        text.startswith("Building configuration") and "alias exec src show running-config" in text
    )
    close_all(project.nr)
    with _conn(push_env.lab, name) as conn:
        saved = save_and_read(conn, IOS)  # the read after the save, whole as well
        assert saved.startswith("Building configuration") and saved.rstrip().endswith("end")


def test_answers_typed_ahead_serve_one_question_or_two(lab_factory: LabFactory) -> None:
    """IOS's copy asks for the file name, and again ("over write? [confirm]") when the file is
    there: two Enters typed with the copy answer both, or one and an empty line at the
    prompt; the read ends at the last prompt, so the session stays in step."""
    from nornir_config.connection import run_answered_ahead

    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")
    copy = IOS.device_copy
    save = copy.save.format(file=copy.file)
    name = copy.file.split(":", 1)[1]
    with _conn(lab, "LAB-R1") as conn:
        for asked in (1, 2):  # no file yet, then a file to overwrite
            output = run_answered_ahead(conn, save, list(copy.save_answers), copy.question)
            assert len(re.findall(copy.question, output, re.M)) == asked, output
            assert output.rstrip().endswith("LAB-R1#")
            assert device.flash.files[name].data.decode().strip().endswith("end")
            after = send_lines(conn, ["show clock"])
            assert after.lstrip("\r\n").startswith("show clock"), after  # nothing left over


def test_deliver_keeps_in_step_through_refusals_and_slow_answers(
    lab_factory: LabFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused line or banner, saved or not: the session reads everything the one write
    made the device print, so the next read starts at its own echo."""
    from nornir_config.connection import run_answered_ahead

    lab = lab_factory(routers=1, switches=0)
    device = lab.device("LAB-R1")

    def in_step(conn: Any) -> None:
        after = send_lines(conn, ["show clock"])
        assert after.lstrip("\r\n").startswith("show clock"), after

    with _conn(lab, "LAB-R1") as conn:
        lab.set_faults("LAB-R1", reject_commands=["^ip domain name f"], latency=0.05)
        with pytest.raises(ConfigInvalidException, match="ip domain name f"):
            deliver(conn, ["ip domain name f.vn", "logging buffered 7000"], IOS, save=False)
        in_step(conn)
        assert "logging buffered 7000" not in lab.call(lambda: device.startup)
        lab.clear_faults()
        lab.set_faults("LAB-R1", reject_commands=["^banner"])
        with pytest.raises(ConfigInvalidException, match="banner motd"):
            deliver(conn, ["logging buffered 6000", "banner motd ^\nNOT TAKEN\n^"], IOS)
        in_step(conn)
        lab.clear_faults()
        # a banner alone goes in one write of its own (no file, no line-by-line typing)
        writes = _writes(monkeypatch)
        deliver(conn, ["banner motd ^\nONE WRITE\n^"], IOS, save=False)
        assert writes[0] == "configure terminal\nbanner motd ^\nONE WRITE\n^\nend\n", writes
        # a file, saved and read back: the copy's answer, the deletion, the save and the read
        # typed in the write after the upload, nothing else
        writes.clear()
        deliver(conn, ["logging buffered 5500"], IOS)
        assert writes[-1] == (
            "copy flash:communelan-merge.cfg running-config\n\n"
            "delete /force flash:communelan-merge.cfg\nwrite memory\nshow running-config\n"
        ), writes
        # typed, unsaved: applied, not saved
        lab.set_faults("LAB-R1", flash_full=True)
        deliver(conn, ["logging buffered 5000"], IOS, save=False)
        assert "logging buffered 5000" in lab.call(device.body)
        assert "logging buffered 5000" not in lab.call(lambda: device.startup)
        lab.clear_faults()
        # a line whose echo reads like Tcl's failure: typed instead, and no file stays behind
        deliver(conn, ["interface GigabitEthernet0/0/1", " description couldn't open"], IOS)
        assert "description couldn't open" in lab.call(device.body)
        assert DELIVERY_FILE not in device.flash.files
        # slow answers: the answers typed ahead are read to the last prompt all the same
        lab.set_faults("LAB-R1", latency=0.2)
        copy = IOS.device_copy
        save = copy.save.format(file=copy.file)
        output = run_answered_ahead(conn, save, list(copy.save_answers), copy.question)
        assert output.rstrip().endswith("LAB-R1#")
        in_step(conn)
        lab.clear_faults()


def test_a_file_and_a_banner_on_a_device_with_a_save_alias(lab_factory: LabFactory) -> None:
    """`alias exec wr write memory` (common) prints the save command inside the config read
    back: the save's answer is still found where the save was typed."""
    lab = lab_factory(routers=1, switches=0)
    with _conn(lab, "LAB-R1") as conn:
        send_config(conn, ["alias exec wr write memory"], IOS)
        result = deliver(conn, ["logging buffered 4500", "banner motd ^\nALIASED\n^"], IOS)
        assert "ALIASED" in result.running and "alias exec wr write memory" in result.running
        assert "ALIASED" in lab.call(lambda: lab.device("LAB-R1").startup)
