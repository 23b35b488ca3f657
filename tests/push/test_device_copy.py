"""The device's own pre-change copy, saved in one write, over a copy an earlier push left.

Reference for the device side: IOS asks for the destination's name on `copy running-config
flash:<file>` and, when a file of that name is on flash already, prints
"%Warning:There is a file already existing with this name" and asks "Do you want to over
write? [confirm]" (Enter goes on) before it copies: the wording of real devices' copy
sessions (Cisco's file system guides; the test logs of Cisco's pyATS/Unicon copy service
show the same three lines). `file prompt quiet` asks nothing.
"""

from __future__ import annotations

from typing import Any

from netmiko import ConnectHandler

from nornir_config.lab.testing import RunningLab
from nornir_config.platforms import driver
from nornir_config.push.rollback import DEVICE_COPY, save_device_copy

PLATFORM = driver("cisco_ios")
COPY = PLATFORM.device_copy
NAME = COPY.file.split(":", 1)[1]


class _Host:
    """What `save_device_copy` keeps on a Nornir host: its `data`."""

    def __init__(self) -> None:
        self.data: dict[str, Any] = {}


def _flash(lab: RunningLab, name: str) -> bytes | None:
    return lab.call(lambda: lab.device("LAB-S1").flash.read(name))


def test_lab_asks_before_it_writes_over_a_file(lab: RunningLab) -> None:
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        first = conn.send_command(f"copy running-config {COPY.file}", expect_string=r"\]\?")
        assert f"Destination filename [{NAME}]?" in first
        assert "bytes copied" in conn.send_command("", expect_string=r"#")
        conn.send_config_set(["hostname LAB-S1-NEW"])  # the prompt changes: LAB-S1 still leads
        asked = conn.send_command(f"copy running-config {COPY.file}", expect_string=r"\]\?")
        again = conn.send_command("", expect_string=r"\[confirm\]")
        assert "%Warning:There is a file already existing with this name" in asked + again
        assert "Do you want to over write? [confirm]" in again
        # anything but Enter or y keeps the old file
        refused = conn.send_command("n", expect_string=r"#")
        assert "bytes copied" not in refused
        assert b"hostname LAB-S1-NEW" not in (_flash(lab, NAME) or b"")
        conn.send_command(f"copy running-config {COPY.file}", expect_string=r"\]\?")
        conn.send_command("", expect_string=r"\[confirm\]")
        assert "bytes copied" in conn.send_command("", expect_string=r"#")
    assert b"hostname LAB-S1-NEW" in (_flash(lab, NAME) or b"")


def test_device_copy_over_an_earlier_one(lab: RunningLab) -> None:
    """A copy an earlier push left (a run stopped before it deleted it) is written over: the
    copy holds the running config of now, and the session is at its prompt after it."""
    host = _Host()
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        assert save_device_copy(host, conn, PLATFORM) == COPY.file  # none there yet
        assert host.data[DEVICE_COPY] == COPY.file
        conn.send_config_set(["ip domain name over.example"])
        save_device_copy(host, conn, PLATFORM)  # over the first: IOS asks, Enter answers
        assert b"ip domain name over.example" in (_flash(lab, NAME) or b"")
        # nothing typed ahead is left over: the next command reads its own answer
        assert conn.send_command("show running-config | include ^hostname") == "hostname LAB-S1"


def test_device_copy_with_file_prompt_quiet(lab: RunningLab) -> None:
    """`file prompt quiet`: IOS asks nothing, the Enters typed ahead are empty lines."""
    host = _Host()
    with ConnectHandler(**lab.netmiko_params("LAB-S1")) as conn:
        conn.send_config_set(["file prompt quiet"])
        save_device_copy(host, conn, PLATFORM)
        save_device_copy(host, conn, PLATFORM)
        assert b"file prompt quiet" in (_flash(lab, NAME) or b"")
        assert conn.send_command("show running-config | include ^hostname") == "hostname LAB-S1"
