"""One emulated Huawei VRP device: its configuration, saved file, flash and logins."""

from __future__ import annotations

import ipaddress
import re
import time

from nornir_config.lab.device import BaseDevice, port_kind, stable_mac
from nornir_config.lab.files import LabCredentials
from nornir_config.lab.ports import ALL_VLANS, ConfigState, Packet, PortState
from nornir_config.lab.rules import first_match
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms.base import Login
from nornir_config.platforms.huawei_vrp.lab import edit, tree

SOFTWARE = {
    "router": ("AR6100", "V300R021C10SPC100", "5.170"),
    "switch": ("S5735", "V200R022C00SPC500", "5.170"),
}


def factory_config(spec: LabDeviceSpec) -> str:
    """What a box runs as staged for the office: its name, SSH on, logins through AAA."""
    return "\n".join(
        [
            f"sysname {spec.hostname}",
            "stelnet server enable",
            "aaa",
            " authentication-scheme default",
            " authorization-scheme default",
            " accounting-scheme default",
            " domain default",
            " domain default_admin",
            "user-interface con 0",
            " authentication-mode aaa",
            "user-interface vty 0 4",
            " authentication-mode aaa",
            " protocol inbound ssh",
        ]
    )


def operator_lines(credentials: LabCredentials) -> list[tuple[list[str], str]]:
    """The lab operator as a VRP device keeps it: a level-15 SSH user in `aaa`."""
    user = credentials.username
    return [
        (
            ["aaa"],
            f"local-user {user} password irreversible-cipher "
            f"{edit.irreversible(credentials.password)}",
        ),
        (["aaa"], f"local-user {user} privilege level 15"),
        (["aaa"], f"local-user {user} service-type ssh"),
        ([], f"ssh user {user}"),
        ([], f"ssh user {user} authentication-type password"),
        ([], f"ssh user {user} service-type all"),
    ]


class VrpDevice(BaseDevice[LabCredentials | None]):
    """Running config, saved config, flash and faults of one VRP device; no I/O here."""

    def __init__(self, spec: LabDeviceSpec, operator: LabCredentials | None) -> None:
        super().__init__(spec, operator)
        self.version = 0
        self.esn = "2102" + self.digest[:16]
        self.running = tree.Node("", section=True)
        self.saved = ""

    # -- config ----------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        line = next((c.text for c in self.running.children if c.text.startswith("sysname ")), "")
        return line[8:] if line else "HUAWEI"

    def top(self, prefix: str) -> list[tree.Node]:
        return [c for c in self.running.children if c.text.startswith(prefix)]

    def has(self, text: str) -> bool:
        return self.running.child(text) is not None

    def touch(self) -> None:
        """After a change: physical ports stay (VRP prints every one), the state is new."""
        present = {c.text for c in self.running.children}
        for name in self.spec.interfaces:
            if f"interface {name}" not in present:
                self.running.children.append(tree.Node(f"interface {name}", section=True))
        self.changed_at = time.time()
        self.version += 1

    def body(self) -> str:
        return tree.render(self.running)

    def software_version(self) -> str:
        return SOFTWARE["router" if self.spec.role == "router" else "switch"][1]

    def current_configuration(self) -> str:
        return f"!Software Version {self.software_version()}\n{self.body()}"

    def save(self) -> None:
        self.saved = self.current_configuration()

    def factory_config(self) -> str:
        return factory_config(self.spec)

    def load_day0(self, text: str) -> list[str]:
        from nornir_config.platforms.huawei_vrp.lab.cli import load

        self.running, errors = load(self, text)
        return errors

    def add_operator(self) -> None:
        for path, line in operator_lines(self.operator) if self.operator else ():
            edit.add(self.running, path, line, section=False)

    def save_startup(self) -> None:
        self.touch()
        self.save()

    # -- what the lab core asks ------------------------------------------------------------

    def motd(self) -> str:
        line = next((c.text for c in self.top("header login information ")), None)
        if line is None:
            return ""
        text = line[len("header login information ") :].strip('"')
        return "\r\n" + text.replace("\n", "\r\n") + "\r\n"

    def admits(self, source: str | None) -> bool:
        """A vty `acl N inbound` refuses other sources before the login (VRP drops them)."""
        vty = next((c for c in self.top("user-interface vty ")), None)
        acl = (
            next((c.text.split()[1] for c in vty.children if c.text.endswith(" inbound")), None)
            if vty
            else None
        )
        if acl is None or source is None:
            return True
        return acl_permits(self.running, acl, source)

    def try_login(self, username: str, password: str, source: str | None) -> Login:
        decision = self._login(username, password)
        if not decision.ok:
            self.log_login(username, source, decision.reason)
        return decision

    def _login(self, username: str, password: str) -> Login:
        if self.faults.reject_credentials:
            return Login(False, reason="credentials rejected (fault)")
        if not self.has("stelnet server enable"):
            return Login(False, reason="stelnet server is disabled")
        vty = next((c for c in self.top("user-interface vty ")), None)
        mode = (
            next(
                (c.text for c in vty.children if c.text.startswith("authentication-mode ")),
                "authentication-mode password",
            )
            if vty
            else ""
        )
        protocol = (
            next(
                (c.text for c in vty.children if c.text.startswith("protocol inbound ")),
                "protocol inbound ssh",
            )
            if vty
            else ""
        )
        if not protocol.endswith(("ssh", "all")):
            return Login(False, reason="vty lines take no SSH (protocol inbound)")
        if mode != "authentication-mode aaa":
            return Login(False, reason="vty lines do not authenticate through AAA")
        aaa = next(iter(self.top("aaa")), None)
        lines = [c.text for c in aaa.children] if aaa else []
        prefix = f"local-user {username} "
        mine = [ln[len(prefix) :] for ln in lines if ln.startswith(prefix)]
        token = next((ln.split()[-1] for ln in mine if ln.startswith("password ")), None)
        if token is None:
            return Login(False, reason=f"no local-user {username}")
        if not edit.password_ok(token, password):
            return Login(False, reason="wrong password")
        service = next((ln for ln in mine if ln.startswith("service-type ")), "")
        if "ssh" not in service.split():
            return Login(False, reason=f"local-user {username} has no service-type ssh")
        level = next((int(ln.split()[-1]) for ln in mine if ln.startswith("privilege level ")), 0)
        ui_level = (
            next(
                (
                    int(c.text.split()[-1])
                    for c in vty.children
                    if c.text.startswith("user privilege ")
                ),
                0,
            )
            if vty
            else 0
        )
        return Login(True, privilege=max(level, ui_level))

    def discovery(self) -> frozenset[str]:
        """VRP runs LLDP unless `undo lldp enable`."""
        return frozenset() if self.has("undo lldp enable") else frozenset({"lldp"})

    @property
    def software(self) -> str:
        model, release, version = SOFTWARE["router" if self.spec.role == "router" else "switch"]
        return (
            "Huawei Versatile Routing Platform Software VRP (R) software, "
            f"Version {version} ({model} {release})"
        )

    def state_key(self) -> object:
        return self.version

    def config_state(self) -> ConfigState:
        return _build(self)


def mac_of(seed: str, offset: int = 0) -> str:
    """A stable MAC from the device name (and a port index), in Huawei's OUI range."""
    return stable_mac(seed, 0x00E0FC, offset)


def acl_permits(running: tree.Node, number: str, source: str) -> bool:
    """Whether basic ACL `number` lets `source` in (no ACL: everything; no match: denied)."""
    acl = running.child(f"acl number {number}")
    if acl is None:
        return True
    address = ipaddress.IPv4Address(source)
    rules = sorted(
        (c.text for c in acl.children if c.text.startswith("rule ")),
        key=lambda t: int(t.split()[1]),
    )
    for rule in rules:
        words = rule.split()
        action = words[2]
        if "source" in words:
            i = words.index("source")
            base, wild = words[i + 1], words[i + 2]
            mask = 0 if wild == "0" else int(ipaddress.IPv4Address(wild))
            if (
                int(address) & ~mask & 0xFFFFFFFF
                != int(ipaddress.IPv4Address(base)) & ~mask & 0xFFFFFFFF
            ):
                continue
        return action == "permit"
    return False


def traffic_filter_permits(running: tree.Node, number: str, packet: Packet) -> bool:
    """`traffic-filter inbound|outbound acl N` for one packet: the first matching rule
    decides; a packet no rule matches, or an ACL that does not exist, passes (Huawei AR/S
    "traffic-filter": "If no rule is matched, IPv4 packets are allowed to pass through")."""
    acl = running.child(f"acl number {number}")
    if acl is None:
        return True
    rules = [c.text.split() for c in acl.children if c.text.startswith("rule ")]
    verdict = first_match(rules, packet)
    return True if verdict is None else verdict


def _kind(name: str) -> str:
    return port_kind(name, "Vlanif", "LoopBack", r"X?GigabitEthernet|Ethernet")


_ORDER = ("Vlanif", "LoopBack", "MEth", "Ethernet", "GigabitEthernet", "XGigabitEthernet")


def _port_order(name: str) -> tuple[int, list[int]]:
    kind = re.match(r"[A-Za-z-]+", name)
    rank = _ORDER.index(kind.group(0)) if kind and kind.group(0) in _ORDER else len(_ORDER)
    return rank, [int(x) for x in re.findall(r"\d+", name)]


def _build(device: VrpDevice) -> ConfigState:
    ports: dict[str, PortState] = {}
    names = list(device.spec.interfaces)
    configured = {c.text.split(None, 1)[1]: c for c in device.top("interface ")}
    names += [n for n in configured if n not in names]
    names.sort(key=_port_order)
    for index, name in enumerate(names):
        kind = _kind(name)
        port = PortState(name=name, kind=kind, index=index, switchport=kind == "physical")
        port.mac = mac_of(device.spec.name, 0 if kind in ("svi", "loopback") else index + 1)
        port.bandwidth = 10_000_000 if name.startswith("XGigabit") else 1_000_000
        allowed: set[int] = {1}
        node = configured.get(name)
        for child in node.children if node else []:
            text, words = child.text, child.text.split()
            if text.startswith("description "):
                port.description = text[12:]
            elif text == "shutdown":
                port.enabled = False
            elif text == "port link-type trunk":
                port.mode = "trunk"
            elif text.startswith("port default vlan "):
                port.access_vlan = int(words[-1])
            elif text.startswith("port trunk pvid vlan "):
                port.native_vlan = int(words[-1])
            elif text.startswith("port trunk allow-pass vlan "):
                allowed |= edit.vlan_set(text[27:])
            elif text == "undo port trunk allow-pass vlan 1":
                allowed.discard(1)
            elif text.startswith("ip address ") and len(words) >= 4:
                port.ipv4.insert(0, ipaddress.IPv4Interface(f"{words[2]}/{words[3]}"))
                port.switchport = False
            elif text.startswith("traffic-filter inbound acl "):
                port.acl_in = words[-1]
            elif text.startswith("traffic-filter outbound acl "):
                port.acl_out = words[-1]
        port.allowed = frozenset(allowed) if port.mode == "trunk" else ALL_VLANS
        if port.ipv4 and kind == "physical":
            port.switchport = False
        if not port.switchport:
            port.mode = "routed"
        ports[name] = port
    vlans: dict[int, str] = {1: "default"}
    batch = next((c.text for c in device.top("vlan batch ")), "")
    for vid in sorted(edit.vlan_set(batch[11:])):
        vlans[vid] = f"VLAN {vid:04d}"
    for node in device.top("vlan "):
        m = re.fullmatch(r"vlan (\d+)", node.text)
        if m:
            desc = next(
                (c.text[12:] for c in node.children if c.text.startswith("description ")), ""
            )
            vlans[int(m.group(1))] = desc or f"VLAN {int(m.group(1)):04d}"
    routes: list[tuple[ipaddress.IPv4Network, str]] = []
    for node in device.top("ip route-static "):
        words = node.text.split()
        routes.append((ipaddress.IPv4Network(f"{words[2]}/{words[3]}"), words[4]))
    running = device.running
    return ConfigState(
        ports,
        vlans,
        routes,
        mac_of(device.spec.name),
        device.spec.role != "router",
        permits=lambda number, packet: traffic_filter_permits(running, number, packet),
    )
