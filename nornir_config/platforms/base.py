"""The typed platform driver: everything that differs by vendor, handed to the core as one object.

Each folder `nornir_config/platforms/<name>/` exposes `DRIVER: Platform`, registered under the
entry point group `communelan.platforms`. The core asks `nornir_config.platforms.driver(name)`
for it and reads its fields; it never names a vendor nor imports a vendor folder. Data that is
easier to say in YAML stays in the folder and is read with `Platform.data(document)`; the
core reads these documents (the shipped drivers' folders show their shape):
  running_config  show-run layout: separators, section order, sort keys, version line,
                  hier_config rules
  push            commands, remediation ordering, idempotent commands, negation rules
  protected       lines the device owns (never removed, left out of comparisons)
  features        compliance features (one per template partial) and their sections
  controls        what each feature protects, for the reports
  secret_tokens   where secret tokens sit in lines, and their kind (a `verify` key)
  sanitize        line filters that remove secrets from stored configs
  lint            how lint reads a config: interface classes, addresses, ACL heads
`build(folder, ...)` makes the `Platform` itself from `push` (commands, device copy, file
delivery), `running_config` (layout), `volatile`, `naming` and `sanitize`, plus the few values
only the vendor's Python knows.

The lab's per-session command line and device follow the Protocols below (what the lab server
uses); a vendor's lab dialect builds them.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping, Sized
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol

import yaml

if TYPE_CHECKING:
    from collections import deque

    from hier_config import Platform as HierPlatform

    from nornir_config.lab.files import LabCredentials
    from nornir_config.lab.flash import Flash
    from nornir_config.lab.ports import ConfigState
    from nornir_config.lab.spec import DeviceFaults, LabDeviceSpec

# -- the lab dialect: what the lab server uses -------------------------------------------------


@dataclass
class Reply:
    """What a session prints after a line: output (\\n line ends), then the prompt."""

    output: str = ""
    prompt: bool = True
    close: bool = False
    abort: bool = False  # cut the connection without a goodbye (drop fault)


@dataclass(frozen=True)
class Login:
    """The outcome of a login attempt: whether it is let in, at which privilege, and why not."""

    ok: bool
    privilege: int = 1
    reason: str = ""


@dataclass(frozen=True)
class Day0Facts:
    """What a real running config says about the box it came from."""

    hostname: str | None
    role: str
    model: str
    interfaces: tuple[str, ...]


class LabDevice(Protocol):
    """One emulated device as the lab core sees it (state shared by all its sessions)."""

    spec: LabDeviceSpec
    faults: DeviceFaults
    flash: Flash
    sessions: int
    boot_errors: list[str]
    login_log: deque[str]

    @property
    def hostname(self) -> str: ...

    def motd(self) -> str:
        """The banner shown before the first prompt ("" for none), \\r\\n line ends."""
        ...

    def admits(self, source: str | None) -> bool:
        """Whether the device's config lets a connection from `source` reach the login."""
        ...

    def try_login(self, username: str, password: str, source: str | None) -> Login: ...

    def log_login(self, user: str, source: str | None, reason: str) -> None: ...

    def state(self) -> ConfigState:
        """Ports, VLANs and routes its config sets up (the office twin cables them)."""
        ...

    def discovery(self) -> frozenset[str]:
        """The neighbour protocols it runs now (`lldp`, `cdp`)."""
        ...

    @property
    def software(self) -> str:
        """The one-line software description it announces to neighbours."""
        ...


class LabSession(Protocol):
    """One session's command line: the lab server feeds it whole lines and prints replies."""

    device: Any  # the dialect's own LabDevice
    echo: bool
    pending: Callable[[str], Reply] | None
    length: int  # lines per page (`--More--`); 0: no paging

    @property
    def prompt(self) -> str: ...

    @property
    def stack(self) -> Sized:
        """The config modes entered (empty in exec mode)."""
        ...

    def feed(self, line: str) -> Reply: ...

    def help(self, line: str) -> str: ...

    def complete(self, line: str) -> str | None: ...

    def ctrl_z(self) -> Reply: ...


@dataclass(frozen=True, eq=False)
class LabDialect:
    """How the lab emulates the vendor.

    `device(spec, operator)`: a booted device: its day-0 config (the spec's own text, checked
    by the dialect's grammar, errors in `boot_errors`, or a factory config), plus the lab
    operator's user and enable secret when `operator` is given.
    `session(device, user, privilege)`: one session's command line on it.
    `day0_facts(text)`: hostname, role, model and ports a real config shows.
    """

    device: Callable[[LabDeviceSpec, LabCredentials | None], LabDevice]
    session: Callable[[Any, str, int], LabSession]
    day0_facts: Callable[[str], Day0Facts]


# -- the engine's side -------------------------------------------------------------------------


@dataclass(frozen=True)
class Commands:
    """What the engine types on the device, and what it waits for."""

    show_config: str  # the running config, as the device prints it
    enter_config: str
    exit_config: str
    config_prompt: str  # regex of any config-mode prompt
    save: str
    saved: str  # regex of the answer that says the save is done
    save_confirm: str | None = None  # regex of the question a save asks, if any
    save_answer: str = ""  # the answer sent to it
    session_setup: tuple[str, ...] = ()  # sent once after login (no paging, no wrapping)
    negation: str = "no "  # prefix that undoes a config line
    error_pattern: str = ""  # regex of an answer meaning a config line was refused
    prompt_end: str = r"[>#]"  # regex of how an exec prompt ends (`host#`, `<host>`)
    rename: str = "hostname "  # how a line that renames the device (and its prompt) starts


@dataclass(frozen=True)
class DeviceCopy:
    """The device's own full copy of its pre-change config and its own way back to it."""

    file: str
    save: str  # `{file}` is filled in
    restore: str  # the device's own configuration replace of `{file}`
    restored: str  # text in the answer that means the restore worked
    failed: str  # regex of an answer that means it did not
    answer: str = r"(\]\?|#)\s*$"  # regex of a question or the prompt after a command
    question: str = r"\]\?\s*$"  # regex of a question answered with `reply`
    reply: str = ""  # the answer to such a question (Enter, or Y to a [Y/N])
    restore_in_config: bool = False  # the restore runs in config mode, not exec
    delete: str = ""  # removes `{file}` for good once the push is verified (it holds secrets)
    # answers typed ahead with `save`, in the same write (empty lines only: one the device
    # does not ask for is an empty line at the prompt); none: each question waits its answer
    save_answers: tuple[str, ...] = ()


@dataclass(frozen=True)
class RevertTimer:
    """The device's own safety net for a merge: it takes the change back by itself unless
    the change is confirmed within `minutes` (a change that cut the push off is undone)."""

    start: str  # enters config mode with the timer running; `{minutes}` is filled in
    confirm: str  # keeps the change (stops the timer)
    refused: str  # regex of an answer meaning the device runs no timer (no archive)
    needs: str = ""  # regex of a running-config line without which the device refuses it
    minutes: int = 5
    pending: str = ""  # shows whether a timer runs ("": the device cannot say)
    none_pending: str = ""  # regex of `pending`'s answer when no timer runs


@dataclass(frozen=True)
class FileDelivery:
    """A remediation delivered as one file on the device's flash, applied in one copy."""

    path: str
    write: tuple[str, ...]  # lines that write `{text}` to `{path}` in one go
    write_failed: str
    unquotable: str  # regex of characters the write cannot carry
    apply: str
    question: str
    done: str
    copied: str
    failed: str
    delete: str
    type: tuple[str, ...]  # multi-line commands, typed in one write (`{text}`)


@dataclass(frozen=True)
class ShowRunLayout:
    """How the device prints its running config (the rest is in the `running_config` data)."""

    volatile: tuple[str, ...]  # regexes of whole lines that change on every read (one list)
    separator: str  # the line between blocks (`!`)
    end: str  # the last line (`end`)
    comment: str  # lines starting with it are comments
    banner: str  # regex of a banner's first line; group 1 is its delimiter
    indent: str = " "  # one level of children
    # Printed before a top-level line that has no children (some devices print one space, so
    # that ` sysname X` and `interface X` both start a block); read back as top-level.
    leaf_indent: str = ""
    # Regexes of top-level lines that open a view: printed at column 0 between separators even
    # without children (`vlan 998` on some devices).
    views: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class SecretForms:
    """How secrets are written in a config, and how a written one is checked.

    `password(secret, seed)`: a one-way form of a login secret (its salt derived from `seed`,
    so renders are reproducible);
    `key(secret, seed)`: the reversible form of a key the device must send (NTP, TACACS+);
    `key_forms(secret)`: every reversible form a secret can take (for the redactor);
    `key_ok(secret)`: whether a reversible form can carry the secret;
    `verify[kind](secret, token)`: whether `token` of that kind hides `secret` (kinds are
    strings, e.g. "9" or "cipher"; a kind without a check is never called compliant);
    `reveal[kind](token)`: the secret a reversible token hides.
    Where tokens sit in lines, and their kinds, is the `secret_tokens` data.
    """

    password: Callable[[str, str], str]
    key: Callable[[str, str], str]
    key_forms: Callable[[str], tuple[str, ...]]
    key_ok: Callable[[str], bool]
    verify: Mapping[str, Callable[[str, str], bool]]
    reveal: Mapping[str, Callable[[str], str]]
    anywhere: tuple[tuple[str, str], ...] = ()  # (regex, replacement): hash forms in any text
    key_name: str = "reversible key"  # the reversible form in messages ("type 7 key")


@dataclass(frozen=True, eq=False)
class Naming:
    """Names the device accepts and the names it gives."""

    hostname: re.Pattern[str]
    hostname_rule: str  # what a name must be, for messages ("... is not a valid <rule>")
    reserved_vlans: frozenset[int]
    reserved_vlans_text: str  # `1, 1002-1005`
    svi: Callable[[int], str]  # the L3 interface of a VLAN
    subinterface: Callable[[str, int], str]  # a VLAN's subinterface of a routed port
    banner_forbidden: str = ""  # characters a banner cannot hold (the delimiter)
    hostname_max: int = 63


@dataclass(frozen=True)
class AclEntry:
    """One access-list entry as address spans (first, last as integers)."""

    action: str  # permit | deny
    protocol: str  # ip, tcp, udp, ... ("ip" for standard lists)
    source: tuple[int, int] | None  # None: not understood
    destination: tuple[int, int] | None


@dataclass(frozen=True, eq=False)
class LintDialect:
    """How lint reads a rendered config; patterns are the `lint` data."""

    acl_entry: Callable[[str, bool], AclEntry | None]  # (line, extended) -> entry or None


Replace = Literal["napalm", "device"]


@dataclass(frozen=True, eq=False)
class Platform:
    """One vendor's driver. Frozen; compared and hashed by identity (one per vendor)."""

    name: str  # the driver name = its folder
    folder: Path  # its YAML data
    templates: str  # its folder under templates/
    hier_config: HierPlatform
    netmiko_device_type: str
    napalm_driver: str | None
    netutils_platform: str  # netutils' name (sanitize_config, feature_compliance)
    commands: Commands
    layout: ShowRunLayout
    secrets: SecretForms
    naming: Naming
    lint: LintDialect
    device_copy: DeviceCopy
    replace: Replace  # NAPALM's replace, or the device's own over Netmiko (`device_copy`)
    lab: LabDialect
    file_delivery: FileDelivery | None = None  # None: remediation lines are typed
    revert_timer: RevertTimer | None = None  # None: a merge has no device-side safety net
    label: str = ""  # the OS as messages name it (default: the driver name)

    @property
    def os_label(self) -> str:
        return self.label or self.name

    def data(self, document: str) -> dict[str, Any]:
        """The YAML document `<folder>/<document>.yaml` (read once per run)."""
        return _read(self.folder / f"{document}.yaml")

    def has_data(self, document: str) -> bool:
        return (self.folder / f"{document}.yaml").is_file()

    def __repr__(self) -> str:
        return f"Platform({self.name!r})"


@cache
def _read(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path} must hold a mapping")
    return data


# -- building a driver from its folder ---------------------------------------------------------


class LabModule(Protocol):
    """A vendor's `lab` package: what `LabDialect` is built from."""

    def new_device(self, spec: LabDeviceSpec, operator: LabCredentials | None) -> Any: ...

    def new_session(self, device: Any, user: str, privilege: int) -> Any: ...

    def day0_facts(self, text: str) -> Day0Facts: ...


def build(
    folder: Path,
    *,
    hier_config: HierPlatform,
    netmiko_device_type: str,
    napalm_driver: str | None,
    secrets: SecretForms,
    acl_entry: Callable[[str, bool], AclEntry | None],
    lab: LabModule,
    replace: Replace,
    label: str,
    netutils_platform: str | None = None,
) -> Platform:
    """The driver of the vendor folder `folder`, from the values only it knows plus its data.

    Name and templates are the folder's name; the show-run layout is `running_config.yaml`
    `layout` with `volatile.yaml`; commands, device copy and file delivery are `push.yaml`'s;
    names are `naming.yaml`; hash forms found in any text are `sanitize.yaml` `anywhere`; a
    merge's device-side revert timer is `push.yaml` `revert_timer` (none without it).
    """
    running, push = _read(folder / "running_config.yaml"), _read(folder / "push.yaml")
    printed = dict(running["layout"])
    commands = dict(push["commands"])
    delivery = push.get("file_delivery")
    timer = push.get("revert_timer")
    return Platform(
        name=folder.name,
        folder=folder,
        templates=folder.name,
        hier_config=hier_config,
        netmiko_device_type=netmiko_device_type,
        napalm_driver=napalm_driver,
        netutils_platform=netutils_platform or folder.name,
        commands=Commands(**{**commands, "session_setup": tuple(commands["session_setup"])}),
        layout=ShowRunLayout(
            volatile=tuple(_read(folder / "volatile.yaml")["volatile"] or ()),
            **{**printed, "views": tuple(printed.get("views", ()))},
        ),
        secrets=dataclasses.replace(
            secrets,
            anywhere=tuple(
                (r["regex"], r["replace"]) for r in _read(folder / "sanitize.yaml")["anywhere"]
            ),
        ),
        naming=read_naming(_read(folder / "naming.yaml")),
        lint=LintDialect(acl_entry=acl_entry),
        device_copy=DeviceCopy(
            **{
                **push["device_copy"],
                "save_answers": tuple(push["device_copy"].get("save_answers", ())),
            }
        ),
        replace=replace,
        lab=LabDialect(device=lab.new_device, session=lab.new_session, day0_facts=lab.day0_facts),
        file_delivery=None
        if delivery is None
        else FileDelivery(
            **{**delivery, "write": tuple(delivery["write"]), "type": tuple(delivery["type"])}
        ),
        label=label,
        revert_timer=None if timer is None else RevertTimer(**timer),
    )


def read_naming(data: Mapping[str, Any]) -> Naming:
    """`Naming` from a driver's `naming.yaml`: `svi` and `subinterface` are formats of `{vlan}`
    and `{port}`; `reserved_vlans` a VLAN list (`1, 1002-1005`)."""
    reserved: set[int] = set()
    for span in str(data["reserved_vlans"]).split(","):
        first, _, last = span.strip().partition("-")
        reserved.update(range(int(first), int(last or first) + 1))
    svi, subinterface = str(data["svi"]), str(data["subinterface"])
    return Naming(
        hostname=re.compile(data["hostname"]),
        hostname_rule=data["hostname_rule"],
        reserved_vlans=frozenset(reserved),
        reserved_vlans_text=str(data["reserved_vlans"]),
        svi=lambda vlan: svi.format(vlan=vlan),
        subinterface=lambda port, vlan: subinterface.format(port=port, vlan=vlan),
        banner_forbidden=data.get("banner_forbidden", ""),
        hostname_max=int(data.get("hostname_max", 63)),
    )
