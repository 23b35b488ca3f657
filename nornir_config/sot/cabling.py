"""How an office's devices are cabled, from hosts/: the cables the lab lays, and which device
sits behind which (the NOC reaches an access switch through the core, the core through the
router), so a push can change the far devices first and check what sits behind each one."""

from __future__ import annotations

from collections.abc import Iterable

from nornir_config.sot.province import Device

Cable = tuple[str, str, str]  # (local port, peer device, peer port)


def cables(device: Device, ports: dict[str, set[str]]) -> tuple[Cable, ...]:
    """The device's cables: its `peers` (`PORT: DEVICE PORT`), and trunk ports whose
    description names a far end (`UPLINK DEVICE PORT`) that the inventory has."""
    ends = {port: peer.split() for port, peer in device.peers.items()}
    for port in device.ports:
        words = port.description.split()
        if port.mode == "trunk" and len(words) == 3 and words[2] in ports.get(words[1], ()):
            ends.setdefault(port.name, words[1:])
    return tuple((port, far[0], far[-1]) for port, far in ends.items() if len(far) == 2)


def upstream(devices: Iterable[Device]) -> dict[str, str]:
    """Each device's next device toward the NOC (its `UPLINK DEVICE PORT` trunk)."""
    known = list(devices)
    names = {d.name for d in known}
    up: dict[str, str] = {}
    for device in known:
        for port in device.ports:
            words = port.description.split()
            if len(words) == 3 and words[0] == "UPLINK" and words[1] in names:
                up[device.name] = words[1]
    return up


def depths(devices: Iterable[Device]) -> dict[str, int]:
    """Hops from the office's edge router: 0 router, 1 core, 2 access."""
    known = list(devices)
    up = upstream(known)
    return {d.name: _hops(up, d.name) for d in known}


def behind(devices: Iterable[Device]) -> dict[str, list[str]]:
    """The devices the NOC reaches through each device (farthest last), none for most."""
    known = list(devices)
    up = upstream(known)
    out: dict[str, list[str]] = {}
    for name in sorted(up, key=lambda n: _hops(up, n)):
        here, seen = name, {name}
        while here in up and up[here] not in seen:
            here = up[here]
            seen.add(here)
            out.setdefault(here, []).append(name)
    return out


def _hops(up: dict[str, str], name: str) -> int:
    hops, seen = 0, {name}
    while name in up and up[name] not in seen:
        name = up[name]
        seen.add(name)
        hops += 1
    return hops
