"""The `.lab/` folder: address map, credentials, host keys, known_hosts; read by push/compliance."""

from __future__ import annotations

import json
import secrets
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

ENDPOINTS = "endpoints.json"
CREDENTIALS = "credentials.json"
KNOWN_HOSTS = "known_hosts"
KEYS = "keys"
CONTROL = "control.sock"
PIDFILE = "lab.pid"
LOGFILE = "lab.log"
CONSOLE = "console.json"
PROGRESS = "boot.json"  # how far the runner has booted; `lab up` waits while it moves


@dataclass(frozen=True)
class Endpoint:
    """Where one lab device listens."""

    host: str
    port: int
    device_type: str = ""  # Netmiko's device type of the device behind it


@dataclass(frozen=True)
class LabCredentials:
    username: str
    password: str
    secret: str

    @classmethod
    def generate(cls) -> LabCredentials:
        return cls("lab", secrets.token_urlsafe(12), secrets.token_urlsafe(12))


@dataclass(frozen=True)
class LabAccess:
    """Everything a client needs to reach the lab devices."""

    endpoints: dict[str, Endpoint]
    credentials: LabCredentials
    known_hosts: Path

    def netmiko_params(self, name: str, **extra: Any) -> dict[str, Any]:
        """`netmiko.ConnectHandler` arguments for one device, its host key checked against
        a known_hosts of its own lines (paramiko decodes every key of the file it is given:
        the whole national lab's at each login otherwise)."""
        from nornir_config.connection import own_known_hosts

        endpoint = self.endpoints[name]
        return {
            "device_type": endpoint.device_type,
            "host": endpoint.host,
            "port": endpoint.port,
            "username": self.credentials.username,
            "password": self.credentials.password,
            "secret": self.credentials.secret,
            "ssh_strict": True,
            "system_host_keys": False,
            "alt_host_keys": True,
            "alt_key_file": str(own_known_hosts(self.known_hosts, endpoint.host, endpoint.port)),
            **extra,
        }


def lab_endpoints(lab_dir: Path) -> dict[str, Endpoint]:
    """Inventory name -> address and port of the running lab (empty when none is written)."""
    path = lab_dir / ENDPOINTS
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {
        name: Endpoint(e["host"], int(e["port"]), e.get("device_type", ""))
        for name, e in data["devices"].items()
    }


def lab_credentials(lab_dir: Path) -> LabCredentials:
    data = json.loads((lab_dir / CREDENTIALS).read_text(encoding="utf-8"))
    return LabCredentials(**data)


def known_hosts_path(lab_dir: Path) -> Path:
    return lab_dir / KNOWN_HOSTS


def lab_access(lab_dir: Path) -> LabAccess:
    return LabAccess(lab_endpoints(lab_dir), lab_credentials(lab_dir), known_hosts_path(lab_dir))


def load_or_create_credentials(lab_dir: Path) -> LabCredentials:
    """Credentials persist across `lab up` runs so saved sessions keep working."""
    path = lab_dir / CREDENTIALS
    if path.exists():
        return lab_credentials(lab_dir)
    creds = LabCredentials.generate()
    write_credentials(lab_dir, creds)
    return creds


def write_credentials(lab_dir: Path, creds: LabCredentials) -> None:
    lab_dir.mkdir(parents=True, exist_ok=True)
    path = lab_dir / CREDENTIALS
    path.write_text(json.dumps(asdict(creds), indent=2) + "\n", encoding="utf-8")
    path.chmod(0o600)


def write_endpoints(
    lab_dir: Path, endpoints: dict[str, Endpoint], hostnames: dict[str, str]
) -> None:
    data = {
        "devices": {
            name: {
                "host": e.host,
                "port": e.port,
                "device_type": e.device_type,
                "hostname": hostnames.get(name, name),
            }
            for name, e in endpoints.items()
        }
    }
    tmp = lab_dir / (ENDPOINTS + ".tmp")
    tmp.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    tmp.replace(lab_dir / ENDPOINTS)


def write_progress(lab_dir: Path, step: str, done: int, total: int) -> None:
    """The runner's boot progress (`lab up` gives up only when it stops moving)."""
    tmp = lab_dir / (PROGRESS + ".tmp")
    tmp.write_text(json.dumps({"step": step, "done": done, "total": total}), encoding="utf-8")
    tmp.replace(lab_dir / PROGRESS)


def read_progress(lab_dir: Path) -> tuple[str, int, int] | None:
    try:
        data = json.loads((lab_dir / PROGRESS).read_text(encoding="utf-8"))
        return str(data["step"]), int(data["done"]), int(data["total"])
    except (OSError, ValueError, KeyError, TypeError):
        return None


def write_known_hosts(lab_dir: Path, lines: list[str]) -> None:
    """Add the devices' keys; a name already listed keeps its recorded key, so a device that
    comes back with a different key is refused (host keys are pinned, never rewritten)."""
    path = lab_dir / KNOWN_HOSTS
    kept = path.read_text(encoding="utf-8").splitlines() if path.is_file() else []
    known = {line.split(" ", 1)[0] for line in kept if line.strip()}
    added = [line for line in lines if line.split(" ", 1)[0] not in known]
    path.write_text("\n".join([*kept, *added]) + "\n", encoding="utf-8")


def write_console(lab_dir: Path, endpoint: Endpoint) -> None:
    """Where the lab's console server listens (read by `communelan lab console`)."""
    path = lab_dir / CONSOLE
    path.write_text(json.dumps({"host": endpoint.host, "port": endpoint.port}) + "\n")


def read_console(lab_dir: Path) -> Endpoint:
    data = json.loads((lab_dir / CONSOLE).read_text(encoding="utf-8"))
    return Endpoint(data["host"], int(data["port"]))
