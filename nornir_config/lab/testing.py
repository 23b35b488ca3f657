"""Lab devices for tests: an in-process lab on a background event loop, as pytest fixtures.

In a conftest.py:  `pytest_plugins = ["nornir_config.lab.testing"]` (root conftest), or
`from nornir_config.lab.testing import lab, lab_factory  # noqa: F401`.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from collections.abc import Callable, Coroutine, Iterator
from concurrent.futures import Future
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, TypeVar

import pytest
from nornir.core import Nornir

from nornir_config.lab.files import (
    Endpoint,
    LabCredentials,
    known_hosts_path,
    write_console,
    write_credentials,
    write_endpoints,
    write_known_hosts,
)
from nornir_config.lab.server import DEFAULT_NETWORK, Lab
from nornir_config.lab.spec import LabDeviceSpec

T = TypeVar("T")

TEST_CREDENTIALS = LabCredentials("lab", "lab-password", "lab-secret")


def operator_credentials() -> LabCredentials:
    """The lab operator the province's rendered configs keep: `admin` (hosts/ `local_users`)
    with `password_admin` and `enable_secret` from the secrets store the environment names
    now (the tests' store under pytest, module fixtures included), so a pushed config still
    lets the lab's clients in; TEST_CREDENTIALS when no store holds them."""
    from nornir_config.secrets import FILE_ENV

    return _operator_from(os.environ.get(FILE_ENV, ""))


@cache
def _operator_from(store: str) -> LabCredentials:
    from nornir_config.secrets import load_secrets

    try:
        values = load_secrets().values
    except Exception:  # no readable store: the fixed test account
        return TEST_CREDENTIALS
    if values.get("password_admin") and values.get("enable_secret"):
        return LabCredentials("admin", values["password_admin"], values["enable_secret"])
    return TEST_CREDENTIALS


@cache
def noc_address(root: Path | None = None) -> str | None:
    """The first host of hosts/ `services.noc_networks`: where the lab presents clients from."""
    import ipaddress

    import yaml

    from nornir_config.settings import run_settings

    path = (root or run_settings().root) / "hosts" / "defaults.yaml"
    try:
        nets = yaml.safe_load(path.read_text(encoding="utf-8"))["services"]["noc_networks"]
        return str(next(ipaddress.IPv4Network(nets[0]).hosts()))
    except (OSError, KeyError, TypeError, IndexError, ValueError):
        return None


def worker_network() -> str:
    """The loopback block this test process's labs listen on: the lab's default alone, and one
    block per pytest-xdist worker (gw0 127.110.0.0, gw1 127.111.0.0, ...) so labs of parallel
    workers never share an address, whatever ports they are given."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if worker.startswith("gw") and worker[2:].isdigit():
        return f"127.{110 + int(worker[2:])}.0.0"
    return DEFAULT_NETWORK


def make_specs(routers: int = 1, switches: int = 1, prefix: str = "LAB") -> list[LabDeviceSpec]:
    """Small labs: `LAB-R1`, `LAB-S1`, ... (router ISR4331, switch C9200L-24P-4G)."""
    specs = [
        LabDeviceSpec(f"{prefix}-R{i}", f"{prefix}-R{i}", "ISR4331", "router")
        for i in range(1, routers + 1)
    ]
    specs += [
        LabDeviceSpec(f"{prefix}-S{i}", f"{prefix}-S{i}", "C9200L-24P-4G", "switch")
        for i in range(1, switches + 1)
    ]
    return specs


class LabThread:
    """An asyncio loop in a daemon thread; blocking callers submit coroutines to it."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self._thread.start()

    def run(self, coro: Coroutine[Any, Any, T], timeout: float = 60) -> T:
        future: Future[T] = asyncio.run_coroutine_threadsafe(coro, self.loop)
        return future.result(timeout)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(5)


@dataclass
class RunningLab:
    """A started lab plus blocking helpers for tests (connection parameters, faults)."""

    lab: Lab
    thread: LabThread
    lab_dir: Path

    @property
    def credentials(self) -> LabCredentials:
        return self.lab.credentials

    @property
    def endpoints(self) -> dict[str, Endpoint]:
        return self.lab.endpoints

    @property
    def names(self) -> list[str]:
        return list(self.lab.devices)

    def device(self, name: str) -> Any:
        """The emulated device (its dialect's own class: tests read its config)."""
        return self.lab.devices[name]

    def point(self, nr: Nornir) -> None:
        """Point `nr`'s hosts at these lab devices with the lab login and its known_hosts.

        Per host: CommuneInventory's hosts do not share the inventory's Defaults object.
        """
        from nornir_config.connection import ssh_options

        options = ssh_options(known_hosts_path(self.lab_dir), self.credentials.secret)
        for name, host in nr.inventory.hosts.items():
            endpoint = self.endpoints[name]
            host.hostname, host.port = endpoint.host, endpoint.port
            host.username, host.password = self.credentials.username, self.credentials.password
            host.connection_options["netmiko"].extras = options

    def netmiko_params(self, name: str, **extra: Any) -> dict[str, Any]:
        """Keyword arguments for `netmiko.ConnectHandler` (the device's own device type)."""
        e = self.endpoints[name]
        params: dict[str, Any] = {
            "device_type": e.device_type,
            "host": e.host,
            "port": e.port,
            "username": self.credentials.username,
            "password": self.credentials.password,
            "secret": self.credentials.secret,
            "conn_timeout": 10,
            "fast_cli": True,
        }
        params.update(extra)
        return params

    def napalm_args(self, name: str, **optional: Any) -> dict[str, Any]:
        """Keyword arguments for `napalm.get_network_driver(<the device's driver>)(...)`."""
        e = self.endpoints[name]
        optional_args: dict[str, Any] = {
            "port": e.port,
            "secret": self.credentials.secret,
            "conn_timeout": 10,
        }
        optional_args.update(optional)
        return {
            "hostname": e.host,
            "username": self.credentials.username,
            "password": self.credentials.password,
            "timeout": 30,
            "optional_args": optional_args,
        }

    def console_params(self, name: str, **extra: Any) -> dict[str, Any]:
        """`netmiko.ConnectHandler` arguments for the device's console (always gets in)."""
        e = self.lab.console
        params: dict[str, Any] = {
            "device_type": self.endpoints[name].device_type,
            "host": e.host,
            "port": e.port,
            "username": name,
            "password": self.credentials.password,
            "conn_timeout": 10,
            "fast_cli": True,
        }
        params.update(extra)
        return params

    def set_faults(self, name: str, **faults: Any) -> list[str]:
        """e.g. `set_faults("LAB-R1", latency=0.2, drop_after=3)`; `name` may be a glob."""
        return self.thread.run(self.lab.set_faults(name, **faults))

    def clear_faults(self, name: str = "*") -> list[str]:
        return self.thread.run(self.lab.clear_faults(name))

    @contextlib.contextmanager
    def faults(self, name: str, **faults: Any) -> Iterator[list[str]]:
        """`set_faults` for the block; every device's faults are cleared when it ends, also
        when it fails, so that no fault leaks into the next test."""
        names = self.set_faults(name, **faults)
        try:
            yield names
        finally:
            self.clear_faults()

    def call(self, fn: Callable[[], T]) -> T:
        """Run `fn` on the lab's loop (to read or change device state safely)."""

        async def wrapper() -> T:
            return fn()

        return self.thread.run(wrapper())


def start_lab(
    specs: list[LabDeviceSpec],
    lab_dir: Path,
    *,
    credentials: LabCredentials | None = None,
    login_privilege: int = 15,
    network: str | None = None,
    faults: dict[str, dict[str, Any]] | None = None,
    client_address: str | None = "noc",
) -> RunningLab:
    """Start `specs` in-process (ports chosen by the OS) and write `lab_dir` as `lab up` does.

    `network`: the loopback block (default `worker_network()`); `credentials`: the operator
    (default `operator_credentials()`); `client_address`: where
    clients appear to come from for vty access-classes ("noc": the first NOC host of the
    project's hosts/; None: their real loopback address).
    """
    credentials = credentials or operator_credentials()
    if client_address == "noc":
        client_address = noc_address()
    thread = LabThread()

    async def build() -> Lab:
        lab = Lab(
            specs,
            credentials,
            keys_dir=lab_dir / "keys",
            network=network or worker_network(),
            login_privilege=login_privilege,
            client_address=client_address,
        )
        await lab.start()
        for pattern, values in (faults or {}).items():
            await lab.set_faults(pattern, **values)
        return lab

    lab = thread.run(build())
    write_credentials(lab_dir, credentials)
    write_endpoints(lab_dir, lab.endpoints, {s.name: s.hostname for s in specs})
    write_known_hosts(lab_dir, lab.known_hosts_lines())
    write_console(lab_dir, lab.console)
    return RunningLab(lab, thread, lab_dir)


def stop_lab(running: RunningLab) -> None:
    running.thread.run(running.lab.stop())
    running.thread.close()


LabFactory = Callable[..., RunningLab]


@pytest.fixture
def lab_factory(tmp_path: Path) -> Iterator[LabFactory]:
    """`lab_factory(specs=None, routers=1, switches=1, **start_lab_options) -> RunningLab`."""
    started: list[RunningLab] = []

    def factory(
        specs: list[LabDeviceSpec] | None = None,
        routers: int = 1,
        switches: int = 1,
        **options: Any,
    ) -> RunningLab:
        lab_dir = tmp_path / f"lab{len(started)}"
        running = start_lab(specs or make_specs(routers, switches), lab_dir, **options)
        started.append(running)
        return running

    yield factory
    for running in started:
        stop_lab(running)


@pytest.fixture
def lab(lab_factory: LabFactory) -> RunningLab:
    """One router (`LAB-R1`) and one switch (`LAB-S1`), fresh for the test."""
    return lab_factory()
