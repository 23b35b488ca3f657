"""IOS terminal habits through a real interactive SSH shell (paramiko): `?` help, Tab
completion, Ctrl-U / Ctrl-W, `--More--` paging until `terminal length 0`, `interface range`,
`copy run start` with IOS's prompt.

Reference for the behaviour: Cisco IOS-XE 17 "Using the Command-Line Interface" (context help
with `?`, Tab completion, Ctrl-U deletes the line, Ctrl-W the word, `--More--` with Space for
a page and Return for a line, `terminal length 0` turns paging off) and "Configuring Interface
Characteristics" (`interface range gigabitethernet1/0/1 - 4 , gigabitethernet1/0/6`).
"""

from __future__ import annotations

import time
from collections.abc import Iterator

import paramiko
import pytest

from nornir_config.lab.files import known_hosts_path
from nornir_config.lab.testing import RunningLab


class Shell:
    def __init__(self, lab: RunningLab, name: str) -> None:
        self.client = paramiko.SSHClient()
        self.client.load_host_keys(str(known_hosts_path(lab.lab_dir)))
        e = lab.endpoints[name]
        creds = lab.credentials
        self.client.connect(
            e.host,
            e.port,
            creds.username,
            creds.password,
            look_for_keys=False,
            allow_agent=False,
            timeout=10,
        )
        self.chan = self.client.invoke_shell(width=200, height=24)
        self.read_until("#")

    def read_until(self, *endings: str, timeout: float = 10) -> str:
        data = ""
        deadline = time.monotonic() + timeout
        while not any(data.endswith(e) for e in endings):
            assert time.monotonic() < deadline, f"waited for {endings!r}, got {data[-300:]!r}"
            if self.chan.recv_ready():
                data += self.chan.recv(65536).decode()
            else:
                time.sleep(0.01)
        return data

    def send(self, text: str, *endings: str) -> str:
        self.chan.send(text)
        return self.read_until(*endings) if endings else ""

    def close(self) -> None:
        self.client.close()


@pytest.fixture
def shell(lab: RunningLab) -> Iterator[Shell]:
    s = Shell(lab, "LAB-S1")
    yield s
    s.close()


def test_question_mark_lists_the_mode_keywords(shell: Shell) -> None:
    out = shell.send("show ip ?", "LAB-S1#show ip ")
    assert "\r\n  interface\r\n" in out  # the keywords that can follow, then the line again
    out = shell.send("\x15conf t\r", "(config)#")
    out = shell.send("vlan ?", "(config)#vlan ")
    assert "WORD" in out
    out = shell.send("\x15interface g1/0/1\r", "(config-if)#")
    out = shell.send("switchport access vlan ?", "(config-if)#switchport access vlan ")
    assert "<1-4094>" in out
    out = shell.send("\x15sh?", "(config-if)#sh")
    assert "shutdown" in out


def test_tab_completes_and_ctrl_u_ctrl_w_erase(shell: Shell) -> None:
    out = shell.send("sh\t", "show ")
    assert out.endswith("sh" + "ow ")  # the echo completes the word
    shell.send("ru\t", "running-config ")
    shell.send("\x17", "\b \b" * len("running-config "))  # Ctrl-W: the last word goes
    shell.send("\x15", "\b \b" * len("show "))  # Ctrl-U: the rest of the line goes
    out = shell.send("show privilege\r", "LAB-S1#")
    assert "Current privilege level is 15" in out


def test_more_paging_until_terminal_length_0(shell: Shell) -> None:
    out = shell.send("show running-config\r", " --More-- ")
    assert out.count("\r\n") <= 24  # one screen
    out = shell.send(" ", " --More-- ")  # Space: the next page
    assert "\b" in out
    out = shell.send("\r", " --More-- ")  # Return: one more line
    assert out.count("\r\n") <= 2
    out = shell.send("q", "LAB-S1#")  # anything else: back to the prompt
    shell.send("terminal length 0\r", "LAB-S1#")
    out = shell.send("show running-config\r", "end\r\nLAB-S1#")
    assert "--More--" not in out


def test_interface_range_configures_every_port(shell: Shell, lab: RunningLab) -> None:
    shell.send("conf t\r", "(config)#")
    out = shell.send("interface range g1/0/2 - 4 , g1/0/6\r", "(config-if-range)#")
    shell.send("description RANGE\r", "(config-if-range)#")
    shell.send("switchport access vlan 20\r", "(config-if-range)#")
    shell.send("end\r", "LAB-S1#")
    body = lab.call(lambda: lab.device("LAB-S1").body())
    for port in (2, 3, 4, 6):
        assert (
            f"interface GigabitEthernet1/0/{port}\n description RANGE\n switchport access vlan 20\n"
        ) in body
    assert "interface GigabitEthernet1/0/5\n!" in body
    out = shell.send("conf t\r", "(config)#")
    out = shell.send("interface range g1/0/30 - 31\r", "(config)#")
    assert "Invalid interface range" in out


@pytest.mark.parametrize(
    "command", ["copy run start", "copy running-config startup-config", "copy running-config start"]
)
def test_copy_run_start_with_the_ios_prompt(shell: Shell, lab: RunningLab, command: str) -> None:
    shell.send("conf t\r", "(config)#")
    shell.send("hostname SAVED\r", "SAVED(config)#")
    shell.send("end\r", "SAVED#")
    out = shell.send(command + "\r", "Destination filename [startup-config]? ")
    out = shell.send("\r", "SAVED#")
    assert "[OK]" in out
    device = lab.device("LAB-S1")
    assert lab.call(lambda: "hostname SAVED" in device.startup)
    assert lab.call(lambda: device.flash.read("start")) is None  # no file named `start`
