"""How communelan reaches devices: addresses, credentials and the SSH host key policy.

Shared by push, backup and compliance. Credentials come only from the environment, the
secrets file or (with --lab) the lab's own .lab/ folder, and are set on the Nornir inventory
defaults, never written anywhere. Host keys are always checked against a known_hosts file:
Netmiko (and NAPALM through it) runs with `ssh_strict` and the file as `alt_key_file`, so an
unknown key is refused by paramiko's RejectPolicy and a changed one by BadHostKeyException.
`--accept-new-host-keys` first records the keys of hosts the file does not know yet (as
OpenSSH's `StrictHostKeyChecking=accept-new`); a changed key is never replaced.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import re
import selectors
import shutil
import socket
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import paramiko
from netmiko.exceptions import ReadException, ReadTimeout
from nornir.core import Nornir
from nornir.core.configuration import Config
from nornir.core.inventory import ConnectionOptions, Host
from nornir.core.task import Result, Task

from nornir_config.errors import InputError, Problem
from nornir_config.platforms import driver_for
from nornir_config.platforms.base import Commands
from nornir_config.secrets import FILE_ENV, load_secrets
from nornir_config.settings import RunSettings

USERNAME_ENV = "COMMUNELAN_USERNAME"
PASSWORD_ENV = "COMMUNELAN_PASSWORD"
ENABLE_ENV = "COMMUNELAN_ENABLE_SECRET"
KNOWN_HOSTS_ENV = "COMMUNELAN_KNOWN_HOSTS"

# Seconds; generous enough for a loaded 2-core CI box talking to ~500 lab devices.
TIMEOUTS = {"conn_timeout": 20, "auth_timeout": 20, "banner_timeout": 20, "timeout": 60}


@dataclass(frozen=True)
class Credentials:
    """Login for the devices; the password never shows in a repr or a log line."""

    username: str
    password: str = field(repr=False)
    enable_secret: str = field(default="", repr=False)
    source: str = ""


def credentials_from(settings: RunSettings, environ: dict[str, str] | None = None) -> Credentials:
    """The device login: lab credentials with --lab, else environment, else secrets file."""
    env = dict(os.environ if environ is None else environ)
    if settings.lab:
        return _lab_credentials(settings.lab_dir)
    username = env.get(USERNAME_ENV, "")
    password = env.get(PASSWORD_ENV, "")
    enable = env.get(ENABLE_ENV, "")
    source = "environment"
    if not (username and password):
        secrets = load_secrets(root=settings.root, environ=env)
        username = username or secrets.values.get("username", "")
        password = password or secrets.values.get("password", "")
        enable = enable or secrets.values.get("enable_secret", "")
        source = "secrets file"
    if not (username and password):
        raise InputError(
            [
                Problem(
                    "credentials",
                    "device login",
                    "no username/password for the devices",
                    f"set {USERNAME_ENV} and {PASSWORD_ENV} (optional {ENABLE_ENV}), or put "
                    f"'username' and 'password' in the secrets file ({FILE_ENV}, mode 0600), "
                    "or use --lab",
                )
            ]
        )
    return Credentials(username, password, enable, source)


def known_hosts_path(settings: RunSettings, environ: dict[str, str] | None = None) -> Path:
    """The known_hosts file host keys are checked against."""
    env = os.environ if environ is None else environ
    if settings.lab:
        return _lab_known_hosts(settings.lab_dir)
    if env.get(KNOWN_HOSTS_ENV):
        return Path(env[KNOWN_HOSTS_ENV]).expanduser()
    return Path("~/.ssh/known_hosts").expanduser()


def ssh_options(known_hosts: Path, enable_secret: str) -> dict[str, Any]:
    """Netmiko arguments (also NAPALM optional_args) for strict host key checking."""
    options: dict[str, Any] = {
        "ssh_strict": True,
        "system_host_keys": False,
        "alt_host_keys": True,
        "alt_key_file": str(known_hosts),
        "allow_agent": False,
        "use_keys": False,
        "fast_cli": True,  # Netmiko's short sleeps: over a WAN link its pauses add up
        "auto_connect": False,  # logged in by `login`, in fewer round trips
        **TIMEOUTS,
    }
    if enable_secret:
        options["secret"] = enable_secret
    return options


def prepare_connections(
    nr: Nornir, settings: RunSettings, accept_new_host_keys: bool = False
) -> None:
    """Point every host of `nr` at its device with credentials and the host key policy.

    With --lab, hostnames and ports come from the lab's address map; a host the lab does not
    run is bad input (run `communelan lab up` for it or narrow --filter).
    """
    creds = credentials_from(settings)
    known_hosts = known_hosts_path(settings)
    if settings.lab:
        endpoints = _lab_endpoints(settings.lab_dir)
        missing = sorted(set(nr.inventory.hosts) - set(endpoints))
        if missing:
            more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
            raise InputError.one(
                str(settings.lab_dir),
                "lab",
                f"{len(missing)} selected devices are not in the lab: "
                f"{', '.join(missing[:5])}{more}",
                "start the lab with them (communelan lab up) or narrow --filter",
            )
        for name, host in nr.inventory.hosts.items():
            host.hostname, host.port = endpoints[name]
    options = ssh_options(known_hosts, creds.enable_secret)
    for host in nr.inventory.hosts.values():
        host.username = creds.username
        host.password = creds.password
        _set_extras(host, options)
    if accept_new_host_keys:
        known_hosts.parent.mkdir(parents=True, exist_ok=True)
        known_hosts.touch(mode=0o600, exist_ok=True)
        nr.run(task=learn_host_key, name="learn host key", known_hosts=known_hosts)
    _own_known_hosts(nr, known_hosts)


def _own_known_hosts(nr: Nornir, known_hosts: Path) -> None:
    """Check each host against a known_hosts file of its own keys only (same policy: none
    there is an unknown key, another one a changed key): paramiko parses the whole file at
    every login, some 30 ms of CPU for a province's 517 keys."""
    folder = Path(tempfile.mkdtemp(prefix="communelan-known-hosts-"))
    atexit.register(shutil.rmtree, folder, True)
    known = paramiko.HostKeys()
    if known_hosts.is_file():
        wanted = {host_key_name(str(h.hostname), h.port) for h in nr.inventory.hosts.values()}
        relevant = folder / ".known_hosts"
        relevant.write_text("".join(lines_naming(known_hosts, wanted)), encoding="utf-8")
        known.load(str(relevant))
    for host in nr.inventory.hosts.values():
        name = host_key_name(str(host.hostname), host.port)
        keys = known.lookup(name) or {}
        own = folder / host.name
        own.write_text(
            "".join(f"{name} {k.get_name()} {k.get_base64()}\n" for k in keys.values()),
            encoding="utf-8",
        )
        netmiko = host.connection_options["netmiko"].extras or {}
        netmiko["alt_key_file"] = str(own)
        napalm = host.connection_options["napalm"].extras or {}
        napalm["optional_args"]["alt_key_file"] = str(own)


def lines_naming(known_hosts: Path, names: set[str]) -> list[str]:
    """The lines of `known_hosts` (newline-terminated, in file order) that can name one of
    `names`: only those are handed to paramiko, which decodes every key it loads (~3 ms each,
    30 s for a national lab's 10,650). Markers (@revoked, @cert-authority) and hashed names
    (which can name any host) are always kept. The names are the first field, ended by a
    space or a tab as paramiko's `HostKeyEntry.from_line` splits it."""
    lines = known_hosts.read_text(encoding="utf-8", errors="replace").splitlines()
    return [
        f"{line}\n"
        for line in lines
        if line.startswith("@")
        or any(n.startswith("|") or n in names for n in _FIELD_END.split(line, 1)[0].split(","))
    ]


_FIELD_END = re.compile("[ \t]")


def own_known_hosts(known_hosts: Path, hostname: str, port: int | None) -> Path:
    """A known_hosts file (in a folder removed at exit) with only the lines of `known_hosts`
    that can name this one host, rewritten only when `known_hosts` changed."""
    stat = known_hosts.stat() if known_hosts.is_file() else None
    version = (stat.st_mtime_ns, stat.st_size, stat.st_ino) if stat else None
    with _known_hosts_lock:
        key = (str(known_hosts), hostname, port)
        cached = _own_files.get(key)
        if cached is not None and cached[0] == version:
            return cached[1]
        if not _own_folder:
            _own_folder.append(Path(tempfile.mkdtemp(prefix="communelan-known-hosts-")))
            atexit.register(shutil.rmtree, _own_folder[0], True)
        own = _own_folder[0] / f"{len(_own_files)}-{host_key_name(hostname, port)}"
        name = {host_key_name(hostname, port)}
        own.write_text("".join(lines_naming(known_hosts, name)) if stat else "", encoding="utf-8")
        _own_files[key] = (version, own)
        return own


_own_folder: list[Path] = []
_own_files: dict[tuple[str, str, int | None], tuple[tuple[int, int, int] | None, Path]] = {}


def _set_extras(host: Host, options: dict[str, Any]) -> None:
    netmiko = host.connection_options.setdefault("netmiko", ConnectionOptions())
    netmiko.extras = {**(netmiko.extras or {}), **options}
    napalm = host.connection_options.setdefault("napalm", ConnectionOptions())
    optional = {k: v for k, v in options.items() if k not in ("timeout", "auto_connect")}
    napalm.extras = {
        **(napalm.extras or {}),
        "timeout": options["timeout"],
        "optional_args": {**optional, "read_timeout_override": options["timeout"]},
    }


def _lab_credentials(lab_dir: Path) -> Credentials:
    from nornir_config.lab.files import lab_credentials

    try:
        creds = lab_credentials(lab_dir)
    except (OSError, ValueError, TypeError) as exc:
        raise InputError.one(
            str(lab_dir),
            "lab credentials",
            f"cannot be read ({type(exc).__name__})",
            "start the lab first: communelan lab up",
        ) from None
    return Credentials(creds.username, creds.password, creds.secret, "lab")


def _lab_known_hosts(lab_dir: Path) -> Path:
    from nornir_config.lab.files import known_hosts_path

    return known_hosts_path(lab_dir)


def _lab_endpoints(lab_dir: Path) -> dict[str, tuple[str, int]]:
    from nornir_config.lab.files import lab_endpoints

    endpoints = lab_endpoints(lab_dir)
    if not endpoints:
        raise InputError.one(
            str(lab_dir), "lab", "no lab is running here", "start it: communelan lab up"
        )
    return {name: (e.host, e.port) for name, e in endpoints.items()}


_known_hosts_lock = threading.Lock()


def host_key_name(hostname: str, port: int | None) -> str:
    """The name a host's key has in known_hosts (`[addr]:port` unless port 22)."""
    return hostname if port in (None, 22) else f"[{hostname}]:{port}"


def learn_host_key(task: Task, known_hosts: Path) -> Result:
    """Nornir task: record the host key of a device known_hosts does not know yet.

    A host that already has a key is left alone, so a changed key is still refused when the
    real connection checks it. Unreachable hosts are reported by the later connection.
    """
    host = task.host
    name = host_key_name(str(host.hostname), host.port)
    known = paramiko.HostKeys()
    if known_hosts.is_file():
        known.load(str(known_hosts))
    if known.lookup(name) is not None:
        return Result(host=host, result="known")
    try:
        sock = socket.create_connection((str(host.hostname), host.port or 22), timeout=10)
    except OSError as exc:
        return Result(host=host, result=f"unreachable: {exc}")
    transport = paramiko.Transport(sock)
    try:
        transport.start_client(timeout=10)
        key = transport.get_remote_server_key()
    except (paramiko.SSHException, OSError, EOFError) as exc:
        return Result(host=host, result=f"no key: {exc}")
    finally:
        transport.close()
    with _known_hosts_lock:
        known = paramiko.HostKeys()
        if known_hosts.is_file():
            known.load(str(known_hosts))
        if known.lookup(name) is None:
            with known_hosts.open("a", encoding="utf-8") as out:
                out.write(f"{name} {key.get_name()} {key.get_base64()}\n")
    return Result(host=host, result="learned", changed=True)


def open_netmiko(host: Host, config: Config) -> Any:
    """The host's Netmiko session, logged in on first use (see `login`)."""
    return login(host, config)[0]


def login(host: Host, config: Config, command: str = "") -> tuple[Any, str | None]:
    """The host's Netmiko session and, when this call logged it in, the output of `command`.

    Netmiko's own preparation sends the session setup line by line after fixed pauses, then
    sends a newline to find the prompt: a round trip each over a WAN. Here the platform's
    setup and `command` go in one write and one read serves both; the prompt is taken from
    the echo, with Netmiko's own rules for it (a platform's abbreviation). None: the session was
    open already (send `command` on it).
    """
    conn = host.get_connection("netmiko", config)
    if getattr(conn, "remote_conn", None) is not None:
        return conn, None
    commands = driver_for(host).commands
    setup = list(commands.session_setup)
    build = conn._build_ssh_client
    conn._build_ssh_client = lambda: _pipelined_shell(build())
    try:
        conn.establish_connection()
    finally:
        del conn._build_ssh_client
    _fail_when_closed(conn)
    if not setup:
        conn.session_preparation()
        return conn, (run_command(conn, command) if command else None)
    conn.write_channel(conn.RETURN.join([*setup, *([command] if command else [])]) + conn.RETURN)
    # the prompt the device prints once the last setup line is done
    head = read_until(
        conn,
        # the last line's echo, an informational answer if any (`Info: ...`), the prompt
        rf"{re.escape(setup[-1])}[^\n]*\n(?:Info:[^\n]*\n)?[^\n]*?{commands.prompt_end}",
    )
    learn_prompt(conn, head.rsplit("\n", 1)[-1].strip())
    return conn, (read_command(conn, command) if command else None)


def _pipelined_shell(client: paramiko.SSHClient) -> paramiko.SSHClient:
    """`client` whose `invoke_shell` (Netmiko's way in) asks for the pty and the shell in one
    write, and does not wait for the shell's answer: paramiko waits for each answer before
    the next request and before the first line typed, a round trip each over a WAN. The pty
    request goes without asking for a reply (RFC 4254 6.2 and 5.4: `want reply` FALSE); the
    shell request asks for one, and the lines typed next follow it in the same write (as
    OpenSSH's client does: the channel's data flows once it is open, the answer comes when it
    comes). A refused shell still fails the login: paramiko closes the channel on the
    refusal, and the first read says the device closed the session; a device that ran the
    shell without a pty would not echo, and the first read would say so."""

    def invoke_shell(
        term: str = "vt100",
        width: int = 80,
        height: int = 24,
        width_pixels: int = 0,
        height_pixels: int = 0,
        environment: object = None,
    ) -> paramiko.Channel:
        transport = client.get_transport()
        assert transport is not None
        channel = transport.open_session()
        request = paramiko.Message()
        request.add_byte(paramiko.common.cMSG_CHANNEL_REQUEST)
        request.add_int(channel.remote_chanid)
        request.add_string("pty-req")
        request.add_boolean(False)
        request.add_string(term)
        for size in (width, height, width_pixels, height_pixels):
            request.add_int(size)
        request.add_string(b"")
        transport._send_user_message(request)
        shell = paramiko.Message()
        shell.add_byte(paramiko.common.cMSG_CHANNEL_REQUEST)
        shell.add_int(channel.remote_chanid)
        shell.add_string("shell")
        shell.add_boolean(True)
        transport._send_user_message(shell)
        return channel

    client.invoke_shell = invoke_shell
    return client


def learn_prompt(conn: Any, prompt: str) -> None:
    """Set the session's base prompt from a prompt already read, as `set_base_prompt` would
    (its platform rules included) without sending a newline to find it."""
    conn.find_prompt = lambda *args, **kwargs: prompt
    try:
        conn.set_base_prompt()
    finally:
        del conn.find_prompt


def run_command(conn: Any, command: str) -> str:
    """`command`'s output (echo and prompt stripped), as Netmiko's send_command returns it,
    read as soon as the prompt is back (send_command polls every 25 ms)."""
    conn.write_channel(conn.normalize_cmd(command))
    return read_command(conn, command)


def send_lines(conn: Any, lines: list[str]) -> str:
    """Every line in one write, read up to the prompt after the last one (which must be a
    command, not an answer): a batch costs one round trip. The raw output, echoes and
    prompts included."""
    write_lines(conn, lines)
    return read_through(conn, lines[-1])


def write_lines(conn: Any, lines: list[str]) -> None:
    """Type every line in one write: a device reads typed-ahead lines in order, each once the
    one before is done (an answer to a question included), so however many are read after,
    the batch costs one round trip."""
    conn.write_channel(conn.RETURN.join(lines) + conn.RETURN)


def run_answered_ahead(conn: Any, command: str, answers: list[str], question: str) -> str:
    """`command` and the answers to the questions it may ask, typed in one write: one round
    trip where asking and answering cost one each. Each answer is an empty line (the
    default), which the device takes for a question it asks (`question`: a regex of one,
    matched line by line) or, not asked, as an empty line at the prompt after, which prints
    one more prompt; the read ends at the prompt the last answer leaves."""
    write_lines(conn, [command, *answers])
    output = read_through(conn, command)
    prompt = rf"^[<\[]?{re.escape(conn.base_prompt)}[^\n]*[>#\]][ \t]*\r?$"
    while len(re.findall(prompt, output, re.M)) < 1 + len(answers) - len(
        re.findall(question, output, re.M)
    ):
        output += read_until(conn, rf"\n[<\[]?{re.escape(conn.base_prompt)}[^\n]*[>#\]][ \t]*$")
    return output


def read_through(conn: Any, last: str) -> str:
    """What the device prints up to the prompt that follows the echo of `last`, typed at a
    prompt or a question (or first in what is left to read, its prompt read already): the
    same text in an earlier answer is not its echo."""
    # a prompt may wrap the name (`<host>`, `[host]`) as well as end it (`host#`)
    prompt = rf"\n[<\[]?{re.escape(conn.base_prompt)}[^\n]*[>#\]][ \t]*$"
    return read_until(conn, rf"(?:^|[>#\]:?])[ \t]*{re.escape(last)}[\s\S]*{prompt}")


def read_until(conn: Any, pattern: str, flags: int = 0) -> str:
    """What the device prints up to the first match of `pattern` (kept as Netmiko's
    `read_until_pattern` keeps it: what follows stays for the next read).

    Netmiko polls the channel every 10 ms and searches all it read each time; here the
    read waits on the channel itself (paramiko's `Channel.fileno`, made for select), so a
    reply is taken the moment it arrives and searched once per chunk: over a WAN a push
    waits for a dozen replies per device.
    """
    channel: Any = conn.remote_conn  # paramiko's, whoever opened the session
    wanted = re.compile(pattern, flags)
    deadline = time.monotonic() + (conn.read_timeout_override or TIMEOUTS["timeout"])
    output = ""
    # a poll-based selector: select() refuses descriptors past 1024 (a backup of a province
    # holds hundreds of sessions open)
    with selectors.DefaultSelector() as waiting:
        waiting.register(channel, selectors.EVENT_READ)
        while True:
            chunk = str(conn.read_channel())
            output += chunk
            found = wanted.search(output)
            if found is not None:
                conn._read_buffer += output[found.end() :]
                return output[: found.end()]
            # a session `login` opened fails its read already (`_fail_when_closed`): not others
            if not chunk and (channel.closed or channel.eof_received):
                raise ReadException("the device closed the session")
            left = deadline - time.monotonic()
            if left <= 0:
                raise ReadTimeout(f"Pattern not detected: {pattern!r} in output.")
            waiting.select(left)


def read_command(conn: Any, command: str) -> str:
    """The output of `command`, already written: read up to the session's prompt."""
    output = read_through(conn, command)
    return command_output(conn, command, output)


def command_output(conn: Any, command: str, output: str) -> str:
    """`command`'s own output within `output` (from its echo; echo and prompt stripped)."""
    output = output[output.index(command) :]
    return str(conn.strip_prompt(conn.strip_command(conn.normalize_cmd(command), output)))


def _fail_when_closed(conn: Any) -> None:
    """A session the device dropped fails its read at once: Netmiko reads a closed channel as
    "no output yet" and waits out the whole read timeout (a minute) before it says so."""
    read = conn.read_channel
    channel = conn.remote_conn

    def read_channel() -> str:
        output = str(read())
        if not output and (channel.closed or channel.eof_received):
            raise ReadException("the device closed the session")
        return output

    conn.read_channel = read_channel


def fresh_login(host: Host, config: Config, attempts: int = 2, pause: float = 1.0) -> None:
    """Log in to `host` on a new SSH connection of its own, as the next run will, and leave;
    raises when the device cannot be reached or refuses the login (after `attempts`). The
    login is `open_netmiko`'s; a session the host already has is kept aside meanwhile."""
    kept = host.connections.pop("netmiko", None)
    last: Exception | None = None
    try:
        for attempt in range(attempts):
            try:
                open_netmiko(host, config)
                return
            except Exception as exc:  # refused, reset, timed out, wrong password: once more
                last = exc
                time.sleep(pause * (attempt + 1))
            finally:
                hang_up(host)  # one that never opened has nothing to close
    finally:
        if kept is not None:
            host.connections["netmiko"] = kept
    assert last is not None
    raise last


def get_running_config(task: Task) -> Result:
    """Nornir task: the device's running config, as it prints it (header included); a
    session opened for it costs one round trip after the SSH login (`login`)."""
    commands = driver_for(task.host).commands
    conn, text = login(task.host, task.nornir.config, commands.show_config)
    text = text if text is not None else run_command(conn, commands.show_config)
    return Result(host=task.host, result=shown_config(text, commands))


def shown_config(text: str, commands: Commands) -> str:
    """`text`, the answer to the show of the running config, unless the device refused the
    show (a login without the privilege, a session left in the wrong view): read as a config,
    a refusal would be backed up, audited, and 'undone' line by line. A refusal is in the
    answer's first lines; a banner line deeper down that looks like one is config."""
    first = "\n".join([line for line in text.splitlines() if line.strip()][:3])
    if commands.error_pattern and re.search(commands.error_pattern, first, re.M):
        raise OSError(f"the device refused `{commands.show_config}`: {' '.join(first.split())}")
    return text


def hang_up(host: Host) -> None:
    """Close the host's Netmiko session, if open, without Netmiko's farewell: its disconnect
    first asks the device whether it is in config mode (one more round trip) and then types
    `exit`; closing the SSH connection ends the device's session as well."""
    connection = host.connections.get("netmiko")
    if connection is not None:
        with contextlib.suppress(Exception):  # a dead session is closed all the same
            connection.connection.paramiko_cleanup()
    with contextlib.suppress(Exception):
        host.close_connection("netmiko")
    host.connections.pop("netmiko", None)


def close_all(nr: Nornir) -> None:
    """Close every open connection of `nr`'s hosts, Netmiko's without a farewell."""
    for host in nr.inventory.hosts.values():
        hang_up(host)
    nr.close_connections(on_failed=True)


# Netmiko's refused or unreachable TCP connection; `failure_reason` finds its cause.
TCP_FAILED = "TCP connection to device failed"


def why(exc: BaseException) -> str:
    """A one-line reason for a failure, without tracebacks (and never a password)."""
    text = " ".join(str(exc).split())
    name = type(exc).__name__
    if "known_hosts" in text or "Host key for server" in text or name == "BadHostKeyException":
        if name == "BadHostKeyException" or "does not match" in text:
            return "host key changed: refused (fix known_hosts only if the change is expected)"
        return "unknown host key: refused (rerun with --accept-new-host-keys to trust it)"
    if "Authentication" in name or "uthentication fail" in text:
        return "authentication failed"
    if isinstance(exc, ConnectionRefusedError) or "connection refused" in text.lower():
        return "connection refused"
    if text.startswith(TCP_FAILED):  # the rest is the client's list of common causes
        return f"{name}: {TCP_FAILED}"
    return f"{name}: {text[:300]}" if text else name


# Why a device could not be read, as a class the reports translate for auditors.
REASON_CLASSES = (
    "timeout",
    "refused",
    "auth",
    "host_key_changed",
    "host_key_unknown",
    "dns",
    "unreachable",
    "no_backup",
    "not_fetched",
    "other",
)


def failure_reason(exc: BaseException) -> str:
    """`why(exc)`, plus the first underlying cause when the client re-raised it as something
    vaguer (Netmiko turns a refused connection into "TCP connection to device failed")."""
    cause, seen = exc.__cause__ or exc.__context__, 0
    while cause is not None and seen < 5:
        if isinstance(cause, OSError):
            # paramiko's NoValidConnectionsError holds the socket error of each address tried
            inner = next(iter(getattr(cause, "errors", {}).values()), cause)
            return f"{why(exc)} (cause: {why(inner)})"
        cause, seen = cause.__cause__ or cause.__context__, seen + 1
    return why(exc)


def reason_class(reason: str) -> str:
    """The REASON_CLASSES key of a failure, from its `why()` text (or a stored one)."""
    lowered = reason.lower()
    if "no backup" in lowered:
        return "no_backup"
    if "not fetched" in lowered:
        return "not_fetched"
    if "host key changed" in lowered:
        return "host_key_changed"
    if "unknown host key" in lowered:
        return "host_key_unknown"
    if "authentication" in lowered:
        return "auth"
    if "refused" in lowered:
        return "refused"
    if "timed out" in lowered or "timeouterror" in lowered:
        return "timeout"
    if "name or service not known" in lowered or "gaierror" in lowered:
        return "dns"
    if "unreachable" in lowered or "no route to host" in lowered or "reset by peer" in lowered:
        return "unreachable"
    if TCP_FAILED.lower() in lowered:  # Netmiko's, cause unknown
        return "unreachable"
    if "timeout" in lowered:  # e.g. NetmikoTimeoutException while reading
        return "timeout"
    return "other"
