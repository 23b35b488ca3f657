"""One emulated Comware device: running config, flash files, logins and what it runs."""

from __future__ import annotations

import base64
import hashlib
import logging
import os
import time
from functools import cache
from typing import TYPE_CHECKING

from nornir_config.lab.device import BaseDevice
from nornir_config.lab.spec import LabDeviceSpec
from nornir_config.platforms.base import Login
from nornir_config.platforms.hp_comware.lab import logins
from nornir_config.platforms.hp_comware.lab.config import Config, Entry
from nornir_config.platforms.hp_comware.passwords import comware_hash

if TYPE_CHECKING:
    from nornir_config.lab.files import LabCredentials
    from nornir_config.lab.ports import ConfigState

log = logging.getLogger(__name__)

VERSION = "7.1.064"
RELEASE = {"router": "Release 0821P16", "switch": "Release 6328P03"}
_SALT = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


@cache
def _operator_hash(password: str) -> str:
    return comware_hash(password, "communelanLabOp0")


def lab_cipher(value: str) -> str:
    """How this lab stores a key typed `simple` (Comware's own `$c$3$` algorithm is not
    public): a random nonce and the key masked with a SHA-256 stream; it only has to look
    and behave like a device cipher (a new form on every entry, never the clear key)."""
    nonce = os.urandom(12)
    stream = hashlib.sha256(b"lab-cipher" + nonce).digest() * (len(value) // 32 + 1)
    masked = bytes(a ^ b for a, b in zip(value.encode(), stream, strict=False))
    return "$c$3$" + base64.b64encode(nonce + masked).decode()


class ComwareDevice(BaseDevice["LabCredentials | None"]):
    """Running config, saved config (flash:/startup.cfg), flash and faults of one device."""

    def __init__(self, spec: LabDeviceSpec, operator: LabCredentials | None) -> None:
        super().__init__(spec, operator)
        self.changed_by = "console"
        self.running = Config()
        digest = self.digest
        self.serial = "219801A" + digest[:11]
        self.base_mac = (
            f"{int(digest[:4], 16) | 0x7400:04x}-{digest[4:8].lower()}-{digest[8:10].lower()}00"
        )

    # -- config ------------------------------------------------------------------------------

    @property
    def hostname(self) -> str:
        for head in self.running.entries:
            if head.startswith("sysname "):
                return head.split(None, 1)[1]
        return "H3C"

    @property
    def release(self) -> str:
        return RELEASE["router" if self.spec.role == "router" else "switch"]

    def skeleton(self) -> Config:
        """What a config without any line still holds: the version and the ports."""
        config = Config()
        config.entries[f"version {VERSION}, {self.release}"] = Entry(
            f"version {VERSION}, {self.release}"
        )
        if self.spec.role != "router":
            config.entries["vlan 1"] = Entry("vlan 1", [])
        config.entries["interface NULL0"] = Entry("interface NULL0", [])
        for name in self.spec.interfaces:
            config.entries[f"interface {name}"] = Entry(f"interface {name}", [])
        return config

    def factory_config(self) -> str:
        """The lab's factory config: name, SSH on, vty lines asking the local scheme."""
        lines = [f" sysname {self.spec.hostname}", " lldp global enable", " ssh server enable"]
        lines += ["line vty 0 63", " authentication-mode scheme", " user-role network-operator"]
        return "\n".join(lines) + "\n"

    def load_day0(self, text: str) -> list[str]:
        from nornir_config.platforms.hp_comware.lab.cli import ComwareSession

        loaded = ComwareSession(self, "console").load(text, self.skeleton())
        self.running = loaded.config
        return loaded.errors

    def add_operator(self) -> None:
        """The lab operator as a network-admin local user (replacing one of the same name)."""
        from nornir_config.platforms.hp_comware.lab.cli import ComwareSession

        if self.operator is None:
            return
        user = f"local-user {self.operator.username} class manage"
        self.running.entries.pop(user, None)
        text = (
            f"{user}\n"
            f" password hash {_operator_hash(self.operator.password)}\n"
            " service-type ssh terminal\n"
            " authorization-attribute user-role network-admin\n"
        )
        ComwareSession(self, "console").load(text, self.running)

    def save_startup(self) -> None:
        self.save("startup.cfg", main=True)
        self.touch("console")

    def touch(self, user: str) -> None:
        self.changed_at = time.time()
        self.changed_by = user
        self._state = None

    def hash(self, secret: str) -> str:
        salt = "".join(_SALT[b % 64] for b in os.urandom(16))
        return comware_hash(secret, salt)

    def store_secret(self, text: str) -> str:
        """A key typed `simple` is kept (and printed) as a cipher, as Comware does."""
        words = text.split()
        if words[0] == "password" or "simple" not in words:
            return text
        at = words.index("simple")
        words[at] = "cipher"
        if at + 1 < len(words) and words[at + 1] == "authentication-mode":
            for mode in ("authentication-mode", "privacy-mode"):
                if mode in words and words.index(mode) + 2 < len(words):
                    key = words.index(mode) + 2
                    words[key] = lab_cipher(words[key])
        elif at + 1 < len(words):
            words[at + 1] = lab_cipher(words[at + 1])
        return " ".join(words)

    def text(self) -> str:
        return self.running.text()

    @property
    def saved(self) -> str:
        data = self.flash.read("startup.cfg")
        return data.decode() if data else ""

    def save(self, name: str, main: bool) -> None:
        self.flash.write(name, self.running.text().encode())

    def replace_from(self, text: str, user: str) -> bool:
        """`configuration replace file`: the file becomes the running config, or nothing
        changes when it fails (a fault, or a line the device refuses)."""
        from nornir_config.platforms.hp_comware.lab.cli import ComwareSession

        if self.faults.fail_replace:
            return False
        loaded = ComwareSession(self, user).load(text, self.skeleton())
        if self.faults.fail_replace_partial > 0:
            self.faults.fail_replace_partial -= 1
            half = Config(
                dict(list(loaded.config.entries.items())[: len(loaded.config.entries) // 2])
            )
            for head, entry in self.running.entries.items():
                half.entries.setdefault(head, entry)
            self.running = half
            self.touch(user)
            return False
        if loaded.errors:
            log.info("%s: replace refused: %s", self.spec.name, loaded.errors[0])
            return False
        self.running = loaded.config
        self.touch(user)
        return True

    def dir_listing(self) -> str:
        lines = ["Directory of flash:"]
        for index, name in enumerate(
            sorted(self.flash.files, key=lambda n: self.flash.files[n].index)
        ):
            file = self.flash.files[name]
            stamp = time.strftime("%b %d %Y %H:%M:%S", time.gmtime(file.mtime))
            lines.append(f"   {index} -rw-     {len(file.data):>8} {stamp}   {name}")
        total = 1046512
        used = sum(len(f.data) for f in self.flash.files.values()) // 1024 + 340000
        lines += ["", f"{total} KB total ({0 if self.flash.full else total - used} KB free)"]
        return "\n".join(lines) + "\n"

    def read_file(self, path: str) -> str:
        data = self.flash.read(path.split("/")[-1])
        if data is None:
            return "The file or directory doesn't exist.\n"
        text = data.decode("utf-8", "replace")
        return text if text.endswith("\n") else text + "\n"

    # -- what the lab core asks --------------------------------------------------------------

    def motd(self) -> str:
        for head, entry in self.running.entries.items():
            if not head.startswith("header login "):
                continue
            delimiter = head.split()[2][0]
            text = [head.split(None, 2)[2][1:], *entry.body]
            body = [line.replace(delimiter, "") for line in text if line.strip(delimiter)]
            return "\r\n" + "\r\n".join(body) + "\r\n"
        return ""

    def admits(self, source: str | None) -> bool:
        ok, reason = logins.admits(self.running, source)
        if not ok:
            self.log_login("", source, reason)
        return ok

    def try_login(self, username: str, password: str, source: str | None) -> Login:
        decision = logins.login(self.running, username, password)
        if not decision.ok:
            self.log_login(username, source, decision.reason)
        return Login(decision.ok, decision.privilege, decision.reason)

    def config_state(self) -> ConfigState:
        from nornir_config.platforms.hp_comware.lab.state import config_state

        return config_state(self)

    def discovery(self) -> frozenset[str]:
        return frozenset({"lldp"}) if "lldp global enable" in self.running.entries else frozenset()

    @property
    def model(self) -> str:
        return self.spec.model

    @property
    def software(self) -> str:
        return f"H3C Comware Platform Software, Software Version {VERSION}, {self.release}"
