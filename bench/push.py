"""Push over a WAN: communelan against a plain Netmiko loop and Ansible, per device role, then
the province rollout, all on the same lab with a per-device link round trip (`rtt`).

    .venv/bin/python bench/push.py --rtt 0.05 [--communes N] [--workers 20] [--per-role 2]

Intended configs are the full rendered ones (`communelan render`), pushed to devices at day 0
(first push) and again (no-op). Each tool gets its own devices of every role (router = rt01,
core = sw01, access = sw02...), pushed one after the other, so per-device seconds are wall
time / devices. The lab runs in its own process: its CPU seconds are read from /proc, the
client's from this process and its children (Ansible). Ansible (`cisco.ios.ios_config`) is
measured only when `ansible-playbook` is on PATH (`pip install ansible`); else it says so.
Targets at rtt 0.05: first push <= 1.5 s/device, no-op <= 0.6 s/device, >= 10x Ansible.

Round trips: communelan's SSH packets are watched (paramiko's packet layer, in this process),
and every wait of most of an rtt between a packet sent and the next one received counts as
one round trip; the TCP connect and the SSH version exchange are not seen (about one more).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from netmiko import ConnectHandler  # noqa: E402
from paramiko.packet import Packetizer  # noqa: E402

from nornir_config.cli.lab import inventory_specs  # noqa: E402
from nornir_config.lab.control import control_request  # noqa: E402
from nornir_config.lab.files import CONTROL, ENDPOINTS, lab_access, write_credentials  # noqa: E402
from nornir_config.lab.plan import lab_plan  # noqa: E402
from nornir_config.lab.spec import LabDeviceSpec  # noqa: E402
from nornir_config.platforms import driver  # noqa: E402
from nornir_config.project import open_project  # noqa: E402
from nornir_config.push import PushOptions, run_push  # noqa: E402
from nornir_config.push.diff import error_pattern, remediation  # noqa: E402
from nornir_config.settings import RunSettings, set_run_settings  # noqa: E402

ROLES = ("router", "core", "access")
TOOLS = ("communelan", "netmiko", "ansible")


def role_of(name: str) -> str:
    suffix = name.rsplit("-", 1)[-1]
    return "router" if suffix.startswith("rt") else "core" if suffix == "sw01" else "access"


class LabProcess:
    """`python -m nornir_config.lab.runner` on the root's .lab/, with CPU seconds read."""

    def __init__(
        self, root: Path, specs: list[LabDeviceSpec], rtt: float, network: str, base_port: int = 0
    ) -> None:
        self.dir = root / ".lab"
        self.dir.mkdir(exist_ok=True)
        # as `lab up` does: the province's operator logs in, from the NOC's address
        plan = lab_plan(RunSettings(root=root), specs)
        if plan.credentials is not None:
            write_credentials(self.dir, plan.credentials)
        run = {
            "devices": [s.to_dict() for s in specs],
            "network": network,
            "base_port": base_port,
            "client_address": plan.client_address,
        }
        run["faults"] = {"*": {"rtt": rtt}} if rtt else {}
        (self.dir / "run.json").write_text(json.dumps(run))
        (self.dir / ENDPOINTS).unlink(missing_ok=True)
        began = time.monotonic()
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "nornir_config.lab.runner", str(self.dir)],
            stderr=subprocess.DEVNULL,
        )
        while not (self.dir / ENDPOINTS).exists():
            if self.proc.poll() is not None:
                raise SystemExit("lab failed to start")
            time.sleep(0.05)
        print(f"lab: {len(specs)} devices up in {time.monotonic() - began:.1f} s, rtt {rtt} s")

    def cpu(self) -> float:
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        control_request(self.dir / CONTROL, {"op": "stop"})
        self.proc.wait(60)


class RoundTrips:
    """Counts the waits for the device: a packet received most of an rtt after the first
    packet sent since the last one received (so a pipelined batch counts once)."""

    def __init__(self, rtt: float) -> None:
        self.rtt = rtt
        self.count = 0
        self.on = False
        self._sent: float | None = None
        send, read = Packetizer.send_message, Packetizer.read_message

        def send_message(packetizer: Packetizer, data: object) -> None:
            if self.on and self._sent is None:
                self._sent = time.perf_counter()
            send(packetizer, data)

        def read_message(packetizer: Packetizer) -> object:
            message = read(packetizer)
            if self.on and self._sent is not None:
                if time.perf_counter() - self._sent >= 0.8 * self.rtt:
                    self.count += 1
                self._sent = None
            return message

        Packetizer.send_message = send_message  # type: ignore[method-assign]
        Packetizer.read_message = read_message  # type: ignore[method-assign]

    def __call__(self, step: Callable[[], object]) -> int:
        """Run `step`, return the round trips it waited for."""
        self.count, self._sent, self.on = 0, None, True
        try:
            step()
        finally:
            self.on = False
        return self.count


# Where communelan's round trips go: (module, function, phase) wrapped by `--phases`; a call
# inside another wrapped one counts for the outer one.
PHASES = (
    ("nornir_config.push.merge", "read_running", "login + read"),
    ("nornir_config.push.run", "save_device_copy", "device copy"),
    (
        "nornir_config.push.merge",
        "prove_way_back",
        "way back proven (+ revert timer start) + upload",
    ),
    ("nornir_config.push.merge", "deliver", "delivery (+ save) + re-read"),
    ("nornir_config.push.access", "fresh_login", "access check logins"),
    ("nornir_config.push.merge", "save_and_read", "(confirm +) save + re-read"),
    ("nornir_config.push.run", "hang_up", "hang up"),
)


class Phases:
    """Round trips per phase of a push (PHASES), the rest as "other"."""

    def __init__(self, trips: RoundTrips) -> None:
        import importlib

        self.trips = trips
        self.counts: dict[str, int] = {}
        self.depth = 0
        for module_name, name, label in PHASES:
            module = importlib.import_module(module_name)
            setattr(module, name, self._wrapped(getattr(module, name), label))

    def _wrapped(self, original: Callable[..., object], label: str) -> Callable[..., object]:
        def wrapper(*args: object, **kwargs: object) -> object:
            if self.depth:
                return original(*args, **kwargs)
            self.depth, start = 1, self.trips.count
            try:
                return original(*args, **kwargs)
            finally:
                self.depth = 0
                self.counts[label] = self.counts.get(label, 0) + self.trips.count - start

        return wrapper

    def take(self, total: int, devices: int) -> str:
        """This step's phases per device (and what no phase holds), then start again."""
        counts, self.counts = self.counts, {}
        counts["other"] = total - sum(counts.values())
        return ", ".join(f"{k} {v / devices:.1f}" for k, v in counts.items() if v)


def client_cpu() -> float:
    me = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return me.ru_utime + me.ru_stime + kids.ru_utime + kids.ru_stime


class Meter:
    """Wall, client CPU and lab CPU seconds of one measured step."""

    def __init__(self, lab: LabProcess) -> None:
        self.lab = lab

    def __call__(self, step: Callable[[], object]) -> tuple[float, float, float]:
        wall, cpu, lab = time.perf_counter(), client_cpu(), self.lab.cpu()
        step()
        return time.perf_counter() - wall, client_cpu() - cpu, self.lab.cpu() - lab


def project_root(tmp: Path) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    secrets = tmp / "secrets.yaml"
    names = ("enable_secret", "password_admin", "ntp_key", "snmp_auth_key", "snmp_priv_key")
    secrets.write_text("".join(f"{n}: bench-{n}\n" for n in (*names, "tacacs_key")))
    secrets.chmod(stat.S_IRUSR | stat.S_IWUSR)
    os.environ["COMMUNELAN_SECRETS_FILE"] = str(secrets)
    root = tmp / "root"
    root.mkdir(parents=True)
    for name in ("hosts", "templates", "config.yaml"):
        (root / name).symlink_to(REPO / name)
    set_run_settings(RunSettings(root=root, lab=True))
    return root


def render(hosts: list[str]) -> dict[str, str]:
    """Full intended configs of `hosts` (rendered into build/intended by a dry run)."""
    project = open_project([f"host={','.join(hosts)}"])
    from nornir_config.push.intended import intended_configs

    return intended_configs(project, hosts, project.settings.build_dir / "intended")


DEVICE_SECONDS: list[float] = []  # each communelan device's own time (login to verified end)


def communelan_push(hosts: list[str], workers: int) -> dict[str, int]:
    project = open_project([f"host={','.join(hosts)}"], num_workers=workers)
    run = run_push(project, PushOptions(workers=workers))
    DEVICE_SECONDS[:] = [r.seconds for r in run.reports.values()]
    counts: dict[str, int] = {}
    for report in run.reports.values():
        counts[report.outcome.value] = counts.get(report.outcome.value, 0) + 1
    if set(counts) - {"changed", "unchanged"}:
        bad = {h: r.reason for h, r in run.reports.items() if r.outcome.value != "unchanged"}
        print(f"  communelan: {counts} {bad}")
    return counts


def netmiko_push(root: Path, hosts: list[str], intended: dict[str, str]) -> None:
    """The plain loop: connect, read, send the same remediation with send_config_set, save."""
    access = lab_access(root / ".lab")
    for host in hosts:
        with ConnectHandler(**access.netmiko_params(host)) as conn:
            running = conn.send_command("show running-config")
            commands = remediation(running, intended[host], driver("cisco_ios"))
            lines = [c for c in commands if "\n" not in c]
            if lines:
                conn.send_config_set(lines, error_pattern=error_pattern(driver("cisco_ios")))
                conn.save_config()


def ansible_push(root: Path, hosts: list[str], playbook: str) -> None:
    access = lab_access(root / ".lab")
    work = root / "ansible"
    work.mkdir(exist_ok=True)
    inventory = {
        "all": {
            "vars": {
                "ansible_connection": "ansible.netcommon.network_cli",
                "ansible_network_os": "cisco.ios.ios",
                "ansible_user": access.credentials.username,
                "ansible_password": access.credentials.password,
            },
            "hosts": {
                h: {"ansible_host": e.host, "ansible_port": e.port}
                for h, e in access.endpoints.items()
                if h in hosts
            },
        }
    }
    (work / "inventory.json").write_text(json.dumps(inventory))
    intended = root / "build" / "intended"
    (work / "push.yaml").write_text(
        "- hosts: all\n  gather_facts: false\n  tasks:\n"
        "    - cisco.ios.ios_config:\n"
        f"        src: {intended}/{{{{ inventory_hostname }}}}.cfg\n"
        "        save_when: modified\n"
    )
    env = {**os.environ, "ANSIBLE_HOST_KEY_CHECKING": "False", "ANSIBLE_FORKS": "1"}
    subprocess.run(
        [playbook, "-i", str(work / "inventory.json"), str(work / "push.yaml")],
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )


def counting(trips: RoundTrips | None, hosts: list[str], counted: list[int]) -> None:
    """communelan's push of `hosts`, its round trips appended to `counted`."""
    counted.append(trips(lambda: communelan_push(hosts, 1)) if trips else 0)


def per_role(args: argparse.Namespace, tmp: Path, root: Path, codes: list[str]) -> None:
    ansible = bool(args.ansible_playbook)
    tools = [t for t in TOOLS if (t != "ansible" or ansible) and t in args.tools.split(",")]
    # each tool gets its own communes, so every first push starts from day 0
    picked: dict[str, dict[str, list[str]]] = {}
    specs = inventory_specs(RunSettings(root=root), [f"code={','.join(codes)}"])
    by_code: dict[str, list[str]] = {}
    for spec in specs:
        by_code.setdefault(spec.name.rsplit("-", 2)[-2], []).append(spec.name)
    communes = sorted(by_code)
    for index, tool in enumerate(tools):
        mine = communes[index * 2 * args.per_role : (index + 1) * 2 * args.per_role]
        picked[tool] = {r: [] for r in ROLES}
        for code in mine:
            for name in sorted(by_code[code]):
                if len(picked[tool][role_of(name)]) < args.per_role:
                    picked[tool][role_of(name)].append(name)
    used = sorted({h for t in picked.values() for hs in t.values() for h in hs})
    lab = LabProcess(
        root, [s for s in specs if s.name in used], args.rtt, args.network, args.base_port
    )
    meter = Meter(lab)
    trips = RoundTrips(args.rtt) if args.rtt else None
    phases = Phases(trips) if trips and args.phases else None
    shown: list[str] = []
    try:
        intended = render(used)
        rows: dict[tuple[str, str, str], tuple[float, float, float]] = {}
        inside: dict[tuple[str, str], float] = {}
        waits: dict[tuple[str, str], float] = {}
        for tool in tools:
            for role in ROLES:
                hosts = picked[tool][role]
                for attempt in ("first", "no-op"):
                    if tool == "communelan":
                        counted: list[int] = []
                        figures = meter(lambda h=hosts, c=counted: counting(trips, h, c))
                        waits[role, attempt] = counted[0] / len(hosts)
                        if phases is not None:
                            shown.append(
                                f"  {role:7s} {attempt:5s}: {phases.take(counted[0], len(hosts))}"
                            )
                    elif tool == "netmiko":
                        figures = meter(lambda h=hosts: netmiko_push(root, h, intended))
                    else:
                        figures = meter(
                            lambda h=hosts: ansible_push(root, h, args.ansible_playbook)
                        )
                    n = len(hosts)
                    rows[tool, role, attempt] = (figures[0] / n, figures[1] / n, figures[2] / n)
                    if tool == "communelan":
                        inside[role, attempt] = sum(DEVICE_SECONDS) / len(DEVICE_SECONDS)
        lines = {h: len(remediation("", intended[h], driver("cisco_ios"))) for h in used}
    finally:
        lab.stop()
    print(f"\nper device, sequential, rtt {args.rtt} s (wall s | client CPU s | lab CPU s):")
    print(f"{'tool':11s} {'role':7s} {'lines':>5s}  {'first push':>24s}  {'no-op':>24s}")
    for tool in tools:
        for role in ROLES:
            n_lines = max(lines[h] for h in picked[tool][role])
            cells = []
            for attempt in ("first", "no-op"):
                wall, cpu, lab_cpu = rows[tool, role, attempt]
                cells.append(f"{wall:6.2f} | {cpu:5.2f} | {lab_cpu:5.2f}")
            print(f"{tool:11s} {role:7s} {n_lines:5d}  {cells[0]:>24s}  {cells[1]:>24s}")
    print(
        "communelan per device, login to verified end (the run's own start-up left out): "
        + ", ".join(
            f"{role} {inside[role, 'first']:.2f} / {inside[role, 'no-op']:.2f} s" for role in ROLES
        )
        + " (first / no-op)"
    )
    if trips:
        print(
            "communelan round trips per device (SSH login included): "
            + ", ".join(
                f"{role} {waits[role, 'first']:.1f} / {waits[role, 'no-op']:.1f}" for role in ROLES
            )
            + " (first / no-op)"
        )
    if shown:
        print("communelan round trips per device and phase:", *shown, sep="\n")
    print()
    for baseline in [t for t in tools if t != "communelan"]:
        for attempt in ("first", "no-op"):
            ratios = [
                rows[baseline, role, attempt][0] / rows["communelan", role, attempt][0]
                for role in ROLES
            ]
            shown = ", ".join(f"{r} {x:.1f}x" for r, x in zip(ROLES, ratios, strict=True))
            print(f"communelan vs {baseline:8s} {attempt:5s}: {shown}")
    if "ansible" not in tools:
        print("ansible: skipped (ansible-playbook not on PATH; pip install ansible)")
    worst_first = max(rows["communelan", r, "first"][0] for r in ROLES)
    worst_noop = max(rows["communelan", r, "no-op"][0] for r in ROLES)
    print(
        f"targets: first push {worst_first:.2f} s/device (<= 1.5), "
        f"no-op {worst_noop:.2f} s/device (<= 0.6)"
    )


def rollout(args: argparse.Namespace, root: Path, codes: list[str]) -> None:
    specs = inventory_specs(RunSettings(root=root), [f"code={','.join(codes)}"])
    hosts = [s.name for s in specs]
    lab = LabProcess(root, specs, args.rtt, args.network, args.base_port)
    meter = Meter(lab)
    try:
        render(hosts)
        print(f"\nprovince rollout: {len(codes)} communes, {len(hosts)} devices, ", end="")
        print(f"{args.workers} workers")
        for attempt in ("first", "no-op"):
            counts: dict[str, int] = {}
            wall, cpu, lab_cpu = meter(
                lambda c=counts: c.update(communelan_push(hosts, args.workers))  # type: ignore[misc]
            )
            n = len(hosts)
            print(
                f"  {attempt:5s}: {wall:6.1f} s ({wall / n:.3f} s/device wall), CPU per device: "
                f"client {cpu / n:.3f} s, lab {lab_cpu / n:.3f} s  {counts}"
            )
    finally:
        lab.stop()


def _beside_python(name: str) -> str:
    """`name` in this interpreter's bin/ (a venv's own ansible-playbook), or ""."""
    path = Path(sys.executable).parent / name
    return str(path) if path.is_file() else ""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rtt", type=float, default=0.05, help="link round trip, seconds")
    parser.add_argument("--communes", type=int, default=0, help="rollout communes (0 = all)")
    parser.add_argument("--workers", type=int, default=20)
    parser.add_argument("--network", default="127.25.0.0", help="the lab's loopback block")
    parser.add_argument(
        "--base-port", type=int, default=0, help="the lab's first port (0: any free port)"
    )
    parser.add_argument("--per-role", type=int, default=2, help="devices per role and tool")
    parser.add_argument(
        "--tools", default=",".join(TOOLS), help="tools to measure per role (default: all)"
    )
    parser.add_argument("--skip-rollout", action="store_true")
    parser.add_argument(
        "--phases", action="store_true", help="print communelan's round trips per push phase"
    )
    parser.add_argument("--skip-per-role", action="store_true")
    parser.add_argument(
        "--ansible-playbook",
        default=shutil.which("ansible-playbook") or _beside_python("ansible-playbook"),
        help="ansible-playbook to compare with (default: on PATH or in this venv; '': skipped)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="communelan-bench-"))
    root = project_root(tmp)
    everything = open_project([])
    codes = sorted({str(h.data["code"]) for h in everything.nr.inventory.hosts.values()})
    if not args.skip_per_role:
        per_role(args, tmp, root, codes[: 6 * args.per_role])
    if not args.skip_rollout:
        fresh = project_root(tmp / "rollout")
        rollout(args, fresh, codes[: args.communes] if args.communes else codes)
    shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
