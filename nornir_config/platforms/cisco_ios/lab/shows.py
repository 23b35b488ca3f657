"""Outputs of the `show` commands NAPALM and engineers read, built from the device's state."""

from __future__ import annotations

import re
import time
from typing import TYPE_CHECKING

from hier_config import HConfig, HConfigChild

from nornir_config.lab.flash import FLASH_TOTAL, Flash
from nornir_config.platforms.cisco_ios.lab.show_ports import show_ip_interface_brief, show_vlan
from nornir_config.platforms.cisco_ios.lab.state import (
    SOFTWARE,
    SOFTWARE_NOTICE,
    config_state,
    software_line,
)

__all__ = [
    "diff_configs",
    "incremental_diffs",
    "show_hosts",
    "show_ip_interface_brief",
    "show_version",
    "show_vlan",
]
if TYPE_CHECKING:
    from nornir_config.platforms.cisco_ios.lab.device import LabDevice


def _uptime(seconds: float) -> str:
    minutes = int(seconds // 60)
    parts = []
    for unit, size in (("week", 10080), ("day", 1440), ("hour", 60), ("minute", 1)):
        count, minutes = divmod(minutes, size)
        if count:
            parts.append(f"{count} {unit}{'s' if count != 1 else ''}")
    return ", ".join(parts) or "0 minutes"


def show_version(device: LabDevice) -> str:
    role = "router" if device.spec.role == "router" else "switch"
    _, image = SOFTWARE[role]
    model = device.spec.model
    ports = sum(1 for n in device.spec.interfaces if n.startswith("GigabitEthernet"))
    cpu = (
        f"cisco {model}/K9 (1RU) processor"
        if role == "router"
        else f"cisco {model} (ARM64) processor"
    )
    return "\n".join(
        [
            "Cisco IOS XE Software, Version 17.09.04a",
            software_line(role),
            *SOFTWARE_NOTICE,
            "",
            "ROM: IOS-XE ROMMON",
            "",
            f"{device.hostname} uptime is {_uptime(time.time() - device.booted)}",
            "System returned to ROM by PowerOn",
            f'System image file is "flash:{image}.17.09.04a.SPA.bin"',
            "Last reload reason: PowerOn",
            "",
            f"{cpu} with 1795999K/6147K bytes of memory.",
            f"Processor board ID {device.serial}",
            *(["Router operating mode: Autonomous"] if role == "router" else []),
            f"{ports} Gigabit Ethernet interfaces",
            "32768K bytes of non-volatile configuration memory.",
            "4194304K bytes of physical memory.",
            "3207167K bytes of flash memory at flash:.",
            "",
            *(_switch_table(device, ports) if role == "switch" else []),
            "Configuration register is 0x2102"
            if role == "router"
            else "Configuration register is 0x102",
            "",
        ]
    )


def _switch_table(device: LabDevice, ports: int) -> list[str]:
    """The Catalyst part of `show version`: base MAC, model and serial, the stack table."""
    mac = config_state(device).base_mac.replace(".", "")
    colons = ":".join(mac[i : i + 2] for i in range(0, 12, 2))
    model = device.spec.model
    return [
        f"Base Ethernet MAC Address          : {colons}",
        "Motherboard Assembly Number        : 73-18699-06",
        f"Motherboard Serial Number          : {device.serial}",
        "Model Revision Number              : B0",
        "Motherboard Revision Number        : A0",
        f"Model Number                       : {model}",
        f"System Serial Number               : {device.serial}",
        "CLEI Code Number                   : ",
        "",
        "",
        "Switch Ports Model              SW Version        SW Image              Mode   ",
        "------ ----- -----              ----------        ----------            ----   ",
        f"*    1 {ports:<5} {model:<18} 17.09.04a         CAT9K_LITE_IOSXE      INSTALL",
        "",
        "",
    ]


def show_hosts(device: LabDevice) -> str:
    domain = "not set"
    servers = ""
    for child in device.running.children:
        m = re.match(r"ip domain[ -]name (\S+)", child.text)
        if m:
            domain = m.group(1)
        if child.text.startswith("ip name-server "):
            servers = " ".join(child.text.split()[2:])
    lines = [f"Default domain is {domain}", "Name/address lookup uses domain service"]
    lines.append(f"Name servers are {servers or '255.255.255.255'}")
    lines += ["", "Codes: u - unknown, e - expired, * - OK, ? - revalidate", ""]
    return "\n".join(lines) + "\n"


def _subtree(child: HConfigChild, depth: int, sign: str, out: list[str]) -> None:
    text = child.text
    out.append(" " * depth + sign + text)
    for grandchild in child.children:
        _subtree(grandchild, depth + 1, sign, out)


def _diff(old: HConfig | HConfigChild, new: HConfig | HConfigChild, depth: int) -> list[str]:
    out: list[str] = []
    for child in new.children:
        before = old.get_child(equals=child.text)
        if before is None:
            _subtree(child, depth, "+", out)
        elif child.children or before.children:
            inner = _diff(before, child, depth + 1)
            if inner:
                out.append(" " * depth + child.text)
                out.extend(inner)
    for child in old.children:
        if new.get_child(equals=child.text) is None:
            _subtree(child, depth, "-", out)
    return out


def diff_configs(old: HConfig, new: HConfig) -> str:
    """`show archive config differences`: contextual +/- lines, or no changes."""
    lines = _diff(old, new, 0)
    if not lines:
        return "!Contextual Config Diffs:\n!No changes were found\n"
    return "!Contextual Config Diffs:\n" + "\n".join(lines) + "\n"


def _missing(
    running: HConfig | HConfigChild, change: HConfig | HConfigChild, depth: int
) -> list[str]:
    out: list[str] = []
    for child in change.children:
        present = running.get_child(equals=child.text)
        if present is None:
            _subtree(child, depth, "", out)
        elif child.children:
            inner = _missing(present, child, depth + 1)
            if inner:
                out.append(" " * depth + child.text)
                out.extend(inner)
    return out


def incremental_diffs(running: HConfig, change: HConfig) -> str:
    """`show archive config incremental-diffs`: the lines of a merge file not yet running."""
    lines = _missing(running, change, 0)
    if not lines:
        return "!List of Commands:\nend\n!No changes were found\n"
    return "!List of Commands:\n" + "\n".join(lines) + "\nend\n"


def _listing_line(flash: Flash, name: str) -> str:
    file = flash.files[name]
    stamp = time.strftime("%b %d %Y %H:%M:%S +00:00", time.gmtime(file.mtime))
    return f"{file.index:>5}  -rw-     {len(file.data):>12}  {stamp}  {name}"


def show_dir(flash: Flash, path: str = "flash:/") -> str:
    """`dir` output as IOS prints it; the error line if the file does not exist."""
    name = flash.name_of(path) or ""
    shown = path if ":" in path else f"flash:/{name}"
    if not shown.startswith(("flash:/", "bootflash:/")):
        shown = shown.replace(":", ":/", 1)
    if name:
        if name not in flash.files:
            return f"%Error opening {shown} (No such file or directory)\n"
        names = [name]
    else:
        names = sorted(flash.files, key=lambda n: flash.files[n].index)
    lines = [f"Directory of {shown}", ""]
    lines += [_listing_line(flash, n) for n in names]
    if not names:
        lines.append("No files in directory")
    lines += ["", f"{FLASH_TOTAL} bytes total ({flash.free()} bytes free)"]
    return "\n".join(lines) + "\n"
