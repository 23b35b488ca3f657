"""The IOS command line of one session: modes, prompts, config commands and exec commands.

Transport-free: a session feeds it whole lines and writes back what it returns, so the same
engine serves interactive shells, exec channels, and config files (`copy`, `configure replace`).
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from hier_config import HConfig, HConfigChild

from nornir_config.lab.flash import FlashFullError, config_file_name
from nornir_config.platforms.base import Reply
from nornir_config.platforms.cisco_ios.lab import hconfig, show_office, show_ports
from nornir_config.platforms.cisco_ios.lab.device import LabDevice, ios_time
from nornir_config.platforms.cisco_ios.lab.grammar import (
    BAD_HOSTNAME,
    Failure,
    Grammar,
    Match,
    legal_hostname,
    load_grammar,
    match,
    tokenize,
)
from nornir_config.platforms.cisco_ios.lab.logins import enable_ok, hash_plain
from nornir_config.platforms.cisco_ios.lab.shows import (
    diff_configs,
    incremental_diffs,
    show_dir,
    show_hosts,
    show_ip_interface_brief,
    show_version,
    show_vlan,
)

CONFIG_BANNER = "Enter configuration commands, one per line.  End with CNTL/Z."
INVALID = "% Invalid input detected at '^' marker."
# copy to an existing flash file (the wording of real devices' copy sessions, e.g. the
# "copy running-config flash:" transcripts in Cisco file-system guides and device test logs)
OVERWRITE = (
    "%Warning:There is a file already existing with this name\nDo you want to over write? [confirm]"
)
HOST_ARGUMENT = re.compile(r"^\s*(?:ntp (?:server|peer)|logging(?: host)?) (?:vrf \S+ )?(\S+)")
INVALID_RANGE = "% Command rejected: Invalid interface range\n"


@dataclass
class Frame:
    mode: str
    path: list[str] = field(default_factory=list)
    more: list[list[str]] = field(default_factory=list)  # `interface range`: the other ports


Pending = Callable[[str], Reply]


class Cli:
    """One session's command line on `device`."""

    def __init__(self, device: LabDevice, user: str, privilege: int = 15) -> None:
        self.device = device
        self.user = user
        self.grammar: Grammar = load_grammar(device.platform)
        self.privilege = privilege
        self.stack: list[Frame] = []  # config modes; empty in exec
        self.pending: Pending | None = None
        self.echo = True
        self.tcl = False
        self.config_commands = 0
        self.length = 24  # `terminal length`; 0: no `--More--` paging

    # -- prompt ----------------------------------------------------------------------------

    @property
    def exec_mode(self) -> str:
        return "privileged" if self.privilege >= 15 else "user"

    @property
    def prompt(self) -> str:
        host = self.device.hostname
        if self.stack:
            return host[:20] + self.grammar.modes[self.stack[-1].mode].prompt
        if self.tcl:
            return host + "(tcl)#"
        return host + self.grammar.modes[self.exec_mode].prompt

    # -- input -----------------------------------------------------------------------------

    def feed(self, line: str) -> Reply:
        """Handle one line typed at the prompt (or answered to a question)."""
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.echo = True
            return pending(line)
        if self.stack:
            return self._config_line(line)
        if self.tcl:
            return self._tcl_line(line)
        return self._exec_line(line)

    def ctrl_z(self) -> Reply:
        if self.stack:
            self.stack.clear()
        return Reply()

    def _error(self, failure: Failure, line: str, prompt: str) -> str:
        if failure.kind == "rejected":
            return failure.message + "\n"
        if failure.kind == "ambiguous":
            return f'% Ambiguous command:  "{line.strip()}"\n'
        if failure.kind == "incomplete":
            return "% Incomplete command.\n\n"
        if self._looked_up(line, failure.column):
            # IOS took the word for a host name and asked DNS first; it then prints the line
            # again and the caret under it
            word = line[failure.column :].split()[0]
            lookup = f'Translating "{word}"...domain server (255.255.255.255)\n\n'
            return lookup + line + "\n" + " " * failure.column + "^\n" + INVALID + "\n\n"
        return " " * (len(prompt) + failure.column) + "^\n" + INVALID + "\n\n"

    def _looked_up(self, line: str, column: int) -> bool:
        """A word where IOS takes `Hostname or A.B.C.D` (NTP servers, syslog hosts), with
        domain lookup on (IOS's default)."""
        m = HOST_ARGUMENT.match(line)
        if m is None or m.start(1) != column:
            return False
        return not (
            self.device.has("no ip domain lookup") or self.device.has("no ip domain-lookup")
        )

    def _rejected(self, line: str) -> bool:
        return any(re.search(p, line) for p in self.device.faults.reject_commands)

    def _ignored(self, line: str) -> bool:
        """The `ignore_commands` fault: accepted, silently not applied."""
        return any(re.search(p, line) for p in self.device.faults.ignore_commands)

    def _interface_ok(self, name: str) -> bool:
        """Virtual interfaces can be created; physical ones must exist on the device."""
        if re.match(r"(Loopback|Vlan|Tunnel|Port-channel|Dialer|Virtual-Template|BDI|NVI)\d", name):
            return True
        base, _, sub = name.partition(".")
        return base in self.device.spec.interfaces and not (sub and self._switch_port(base))

    def _switch_port(self, name: str) -> bool:
        ports = hconfig.semantics(self.device.platform, self.device.spec.model).switch_ports
        return ports is not None and ports.match(name) is not None

    def _layer2_refusal(self, parent: str | None, line: str) -> int | None:
        """Where IOS refuses a routed-port line under a built-in switch port (the caret's
        column in `line`), None when it takes it."""
        if parent is None or not parent.startswith("interface "):
            return None
        if not self._switch_port(parent.split(None, 1)[1]):
            return None
        tokens = tokenize(line)
        words = [t[0].lower() for t in tokens]
        if len(words) > 1 and words[0] == "ip" and "address".startswith(words[1]):
            return tokens[1][1]
        if words and words[0] in ("encapsulation", "negotiation"):
            return tokens[0][1]
        return None

    # -- config mode -----------------------------------------------------------------------

    def _config_line(self, line: str) -> Reply:
        prompt = self.prompt
        tokens = tokenize(line)
        if not tokens or tokens[0][0].startswith("!"):  # blank line or comment
            return Reply()
        word = tokens[0][0].lower()
        if word == "end":
            self.stack.clear()
            return Reply()
        if word in ("exit", "exi", "exit-address-family"):
            self.stack.pop()
            return Reply()
        if word == "do" and len(tokens) > 1:
            return self._exec_line(line[tokens[1][1] :], prompt_len=len(prompt) + tokens[1][1])
        self.config_commands += 1
        drop_after = self.device.faults.drop_after
        if drop_after is not None and self.config_commands > drop_after:
            return Reply(prompt=False, close=True, abort=True)
        if self._rejected(line):
            return Reply(self._error(Failure("invalid", tokens[0][1]), line, prompt))
        first: Failure | None = None
        for depth in range(len(self.stack) - 1, -1, -1):
            result = match(
                self.grammar,
                self.stack[depth].mode,
                line,
                negatable=True,
                interface_ok=self._interface_ok,
            )
            if isinstance(result, Match):
                frame = self.stack[depth]
                refused = self._layer2_refusal(frame.path[0] if frame.path else None, line)
                if refused is not None:
                    return Reply(self._error(Failure("invalid", refused), line, prompt))
                del self.stack[depth + 1 :]
                return self._apply(result)
            if result.kind != "invalid":  # IOS drops back to the parent only on invalid input
                return Reply(self._error(result, line, prompt))
            first = first or result
            parent = self.grammar.modes[self.stack[depth].mode].parent
            if parent is None:
                break
        assert first is not None
        return Reply(self._error(first, line, prompt))

    def _apply(self, result: Match) -> Reply:
        frame = self.stack[-1]
        text = hash_plain(result.text)
        if text.startswith("interface range "):
            return self._interface_range(result)
        if text.startswith("banner ") and len(result.words) >= 3:
            return self._banner(result)
        if text.startswith("no banner ") and len(result.words) >= 3:  # the rest is ignored
            self.device.remove_top_level(f"banner {result.words[2]} ", self.user)
            return Reply()
        if result.action.enter:
            path = [*frame.path, text]
            self.device.apply_lines(path, self.user)
            self.stack.append(Frame(result.action.enter, path))
            return Reply()
        if self._ignored(text):
            return Reply()
        self.device.apply_lines([*frame.path, text], self.user)
        for path in frame.more:  # `interface range`: the same line on the other ports
            self.device.apply_lines([*path, text], self.user)
        # IOS warns about a name against the host-name rules, and takes it all the same
        words = text.split()
        if not frame.path and words[:1] == ["hostname"] and not legal_hostname(words[-1]):
            return Reply(BAD_HOSTNAME + "\n")
        return Reply()

    def _interface_range(self, result: Match) -> Reply:
        """`interface range g1/0/1 - 4 , g1/0/6`: one interface mode for every port listed."""
        names: list[str] = []
        for part in " ".join(result.words[2:]).split(","):
            part = part.strip()
            m = re.fullmatch(r"(.*?)(\d+)\s*-\s*(\d+)", part)
            items = (
                [f"{m.group(1)}{n}" for n in range(int(m.group(2)), int(m.group(3)) + 1)]
                if m
                else [part]
            )
            for item in items:
                name = self.grammar.expand_interface(item.replace(" ", ""))
                if name is None or not self._interface_ok(name):
                    return Reply(INVALID_RANGE)
                names.append(name)
        if not names:
            return Reply(INVALID_RANGE)
        paths = [[f"interface {name}"] for name in names]
        for path in paths:
            self.device.apply_lines(path, self.user)
        self.stack.append(Frame("interface_range", paths[0], paths[1:]))
        return Reply()

    def _banner(self, result: Match) -> Reply:
        kind = result.words[1]
        rest = " ".join(result.words[2:])
        delimiter = "^C" if rest.startswith("^C") else rest[0]
        after = rest[len(delimiter) :]
        if delimiter in after:
            self._store_banner(kind, [after.split(delimiter, 1)[0]])
            return Reply()
        lines: list[str] = [after] if after else []

        def collect(line: str) -> Reply:
            if delimiter in line:
                before = line.split(delimiter, 1)[0]
                if before:
                    lines.append(before)
                self._store_banner(kind, lines)
                return Reply()
            lines.append(line)
            self.pending = collect
            return Reply(prompt=False)

        self.pending = collect
        shown = delimiter if delimiter != "^C" else "^C"
        return Reply(f"Enter TEXT message.  End with the character '{shown}'.\n", prompt=False)

    def _store_banner(self, kind: str, lines: list[str]) -> None:
        text = "\n".join([f"banner {kind} ^C", *lines, "^C"])
        self.device.apply(_single(text, self.device.platform), self.user)

    # -- exec mode -------------------------------------------------------------------------

    def _exec_line(self, line: str, prompt_len: int | None = None) -> Reply:
        prompt_len = len(self.prompt) if prompt_len is None else prompt_len
        command, _, pipe = line.partition("|")
        if not command.strip():
            return Reply()
        if self._rejected(command):
            first = tokenize(command)[0][1]
            return Reply(" " * (prompt_len + first) + "^\n" + INVALID + "\n\n")
        result = match(self.grammar, self.exec_mode, command)
        if isinstance(result, Failure):
            tokens = tokenize(command)
            if result.kind == "invalid" and result.column == tokens[0][1] and len(tokens) == 1:
                return Reply(
                    f'Translating "{command.strip()}"\n\n'
                    "% Unknown command or computer name, or unable to find computer address\n"
                )
            fake_prompt = " " * prompt_len
            return Reply(self._error(result, line, fake_prompt))
        handler = getattr(self, f"_run_{result.action.run}")
        try:
            reply: Reply = handler(result)
        except show_ports.Refused as refused:
            column = prompt_len + _refused_column(command, refused.word)
            return Reply(" " * column + "^\n" + INVALID + "\n\n")
        if pipe.strip():
            filtered = _pipe(reply.output, pipe.strip())
            if filtered is None:
                column = prompt_len + len(command) + 1
                return Reply(" " * column + "^\n" + INVALID + "\n\n")
            reply.output = filtered
        return reply

    def _run_noop(self, _m: Match) -> Reply:
        return Reply()

    def _run_terminal_length(self, m: Match) -> Reply:
        self.length = int(m.words[-1])
        return Reply()

    # -- help and completion (the terminal calls these on `?` and Tab) ---------------------

    def _where(self) -> tuple[str, bool]:
        if self.stack:
            return self.stack[-1].mode, True
        return self.exec_mode, False

    def help(self, line: str) -> str:
        """What `?` prints after `line` (IOS context help)."""
        mode, negatable = self._where()
        lines = self.grammar.help_lines(mode, line, negatable)
        if lines is None and self.stack:  # sub-modes also take their parents' commands
            parent = self.grammar.modes[mode].parent
            lines = self.grammar.help_lines(parent, line, True) if parent else None
        if lines is None:
            return "% Unrecognized command\n"
        return "\n".join(lines) + "\n"

    def complete(self, line: str) -> str | None:
        mode, _ = self._where()
        return self.grammar.complete(mode, line)

    def _run_logout(self, _m: Match) -> Reply:
        return Reply(prompt=False, close=True)

    def _run_enable(self, _m: Match) -> Reply:
        tries = [0]

        if not self.device.top_level("enable "):
            return Reply("% No password set\n")

        def check(password: str) -> Reply:
            if enable_ok(self.device.running, password):
                self.privilege = 15
                return Reply()
            tries[0] += 1
            if tries[0] >= 3:
                return Reply("% Bad secrets\n\n")
            self.pending, self.echo = check, False
            return Reply("Password: ", prompt=False)

        self.pending, self.echo = check, False
        return Reply("Password: ", prompt=False)

    def _run_disable(self, _m: Match) -> Reply:
        self.privilege = 1
        return Reply()

    def _run_show_privilege(self, _m: Match) -> Reply:
        return Reply(f"Current privilege level is {self.privilege}\n")

    def _run_show_clock(self, _m: Match) -> Reply:
        now = time.time()
        ms = int((now % 1) * 1000)
        t = ios_time(now)
        return Reply(f"*{t[:8]}.{ms:03d}{t[8:]}\n")

    def _run_show_version(self, _m: Match) -> Reply:
        return Reply(show_version(self.device))

    def _run_show_hosts(self, _m: Match) -> Reply:
        return Reply(show_hosts(self.device))

    def _run_show_ip_int_brief(self, _m: Match) -> Reply:
        return Reply(show_ip_interface_brief(self.device))

    def _run_show_vlan(self, m: Match) -> Reply:
        return Reply(show_vlan(self.device, brief="brief" in m.words))

    def _run_show_running(self, _m: Match) -> Reply:
        return Reply(self.device.show_running())

    def _run_show_startup(self, _m: Match) -> Reply:
        body = self.device.startup
        return Reply(f"Using {len(body)} out of 33554432 bytes\n!\n{body}")

    def _run_ping(self, m: Match) -> Reply:
        target = m.words[1]
        return Reply(
            "Type escape sequence to abort.\n"
            f"Sending 5, 100-byte ICMP Echos to {target}, timeout is 2 seconds:\n"
            "!!!!!\n"
            "Success rate is 100 percent (5/5), round-trip min/avg/max = 1/1/2 ms\n"
        )

    # -- configure -------------------------------------------------------------------------

    def _archive_on(self) -> bool:
        return bool(self.device.top_level("archive"))

    def _run_configure_terminal(self, m: Match) -> Reply:
        if "revert" in m.words:
            if not self._archive_on():
                return Reply(
                    "%Please turn config archive on before using Rollback Confirmed Change\n"
                )
            self.device.start_revert_timer(self.device.running, int(m.words[-1]), self.user)
        self.stack = [Frame("config")]
        return Reply(CONFIG_BANNER + "\n")

    def _run_configure_confirm(self, _m: Match) -> Reply:
        self.device.cancel_revert_timer()
        return Reply()

    def _run_configure_revert(self, _m: Match) -> Reply:
        if self.device.pending is None:
            return Reply("%No Rollback Confirmed Change pending\n")
        self.device.revert_now()
        return Reply("Rollback Done\n\n")

    def _run_configure_replace(self, m: Match) -> Reply:
        path = m.words[2]
        options = m.words[3:]
        text = self._read_file(path)
        if text is None:
            return Reply(f"%Error opening {path} (No such file or directory)\n")
        timer = None
        if "timer" in options:
            if not self._archive_on():
                return Reply(
                    "%Please turn config archive on before using Rollback Confirmed Change\n"
                )
            timer = int(options[options.index("timer") + 1])
        before = self.device.running
        candidate, errors = self.load_file(text)
        if self.device.faults.fail_replace_partial > 0:
            self.device.faults.fail_replace_partial -= 1
            return self._replace_partly(candidate)
        if self.device.faults.fail_replace or (errors and "trigger" in options):
            failed = errors[0] if errors else "interface GigabitEthernet0/0/0"
            return Reply(
                f"Failed to apply command {failed}\n"
                "Aborting Rollback...\n"
                "Rollback Failed.\n\n"
                "Reverting with the original configuration.\n"
                "The original configuration has been successfully restored.\n\n"
            )
        fresh = hconfig.apply(
            hconfig.empty(), candidate, self.device.platform, model=self.device.spec.model
        )
        self.device.replace(fresh, self.user)
        if timer:
            self.device.start_revert_timer(before, timer, self.user)
        if self.device.faults.drop_after_replace > 0:  # applied, then the link drops
            self.device.faults.drop_after_replace -= 1
            return Reply(prompt=False, close=True, abort=True)
        return Reply("Total number of passes: 1\nRollback Done\n\n")

    def _replace_partly(self, candidate: HConfig) -> Reply:
        """The `fail_replace_partial` fault: the first half of the new config's sections
        replace the running ones, then the replace stops, the original is not restored."""
        sections = list(candidate.children)
        half = sections[: max(1, len(sections) // 2)]
        partial = hconfig.parse(self.device.body(), self.device.platform)
        for section in half:
            old = partial.get_child(equals=section.text)
            if old is not None:
                old.delete()
            partial.add_deep_copy_of(section)
        self.device.replace(partial, self.user)
        failed = sections[len(half)].text if len(sections) > len(half) else sections[-1].text
        return Reply(
            f"Failed to apply command {failed}\nAborting Rollback...\nRollback Failed.\n\n"
        )

    def load_file(self, text: str) -> tuple[HConfig, list[str]]:
        """A config file as a tree, and the lines the grammar rejects (dropped from the tree)."""
        tree = hconfig.parse(text, self.device.platform)
        errors: list[str] = []
        self._validate(tree, "config", errors)
        return tree, errors

    def _validate(self, node: HConfig | HConfigChild, mode: str, errors: list[str]) -> None:
        for child in tuple(node.children):
            text = child.text.split("\n", 1)[0]
            if self._rejected(text):
                errors.append(text)
                child.delete()
                continue
            if self._ignored(text) and not child.children:
                child.delete()
                continue
            result = match(
                self.grammar, mode, text, negatable=True, interface_ok=self._interface_ok
            )
            parent = node.text if isinstance(node, HConfigChild) else None
            if isinstance(result, Failure) or self._layer2_refusal(parent, text) is not None:
                errors.append(text)
                child.delete()
                continue
            if child.children:
                self._validate(child, result.action.enter or mode, errors)

    # -- files -----------------------------------------------------------------------------

    def _quiet(self) -> bool:
        return self.device.has("file prompt quiet")

    def _read_file(self, path: str) -> str | None:
        lowered = path.lower()
        if lowered in ("running-config", "system:running-config", "system:/running-config"):
            return self.device.body()
        if lowered in ("startup-config", "nvram:startup-config", "nvram:/startup-config"):
            return self.device.startup
        name = self.device.flash.name_of(path)
        if name is None:
            return None
        data = self.device.flash.read(name)
        return None if data is None else data.decode("utf-8", "replace")

    def _ask(self, question: str, then: Callable[[], Reply]) -> Reply:
        """IOS asks before file operations unless `file prompt quiet` is configured."""
        return self._ask_name(question, "", lambda _name: then())

    def _ask_name(self, question: str, default: str, then: Callable[[str], Reply]) -> Reply:
        """A `Destination filename [x]?` or `Delete filename [x]?` question: Enter takes the
        name in brackets, a typed name is the file IOS goes on with (on flash: when it names
        no file system), as in the copy sessions of Cisco's file system guides."""
        if self._quiet():
            return then(default)

        def answered(line: str) -> Reply:
            return then(line.strip() or default)

        self.pending = answered
        return Reply(question, prompt=False)

    def _run_write_memory(self, _m: Match) -> Reply:
        self.device.save()
        return Reply("Building configuration...\n[OK]\n")

    def _run_copy(self, m: Match) -> Reply:
        source, dest = config_file_name(m.words[1]), config_file_name(m.words[2])
        dest_l = dest.lower()
        if source.lower() == "null:":
            text: str | None = ""
        else:
            text = self._read_file(source)
        if text is None:
            return Reply(f"%Error opening {source} (No such file or directory)\n")
        if dest_l in ("startup-config", "nvram:startup-config"):

            def to_startup() -> Reply:
                if source.lower() in ("running-config", "system:running-config"):
                    self.device.save()
                else:
                    self.device.startup = text or ""
                return Reply("Building configuration...\n[OK]\n")

            return self._ask("Destination filename [startup-config]? ", to_startup)
        if dest_l in ("running-config", "system:running-config"):

            def to_running() -> Reply:
                body, cut = _until_drop(text or "", self)
                tree, errors = self.load_file(body)
                self.device.apply(tree, self.user)
                if cut:  # the drop_after fault: the lines before the cut are applied
                    return Reply(prompt=False, close=True, abort=True)
                out = "".join(f"{e}\n^\n{INVALID}\n\n" for e in errors)
                size = len((text or "").encode())
                return Reply(out + _copied(size))

            return self._ask("Destination filename [running-config]? ", to_running)
        name = self.device.flash.name_of(dest)
        if name is None or not name:
            return Reply(f"%Error opening {dest} (Invalid argument)\n")
        data = (text or "").encode()

        def to_flash(answer: str) -> Reply:
            target = self.device.flash.name_of(answer)
            if not target:
                return Reply(f"%Error opening {answer} (Invalid argument)\n")

            def written() -> Reply:
                try:
                    self.device.flash.write(target, data)
                except FlashFullError:
                    return Reply(f"%Error copying flash:{target} (No space left on device)\n")
                return Reply(_copied(len(data)))

            if self.device.flash.read(target) is None:
                return written()
            # a file of that name is there: IOS asks before it writes over it (a [confirm]:
            # Enter or y goes on, anything else keeps the old file), as in the copy sessions
            # shown by Cisco's file system guides and test logs of real devices
            return self._confirm(OVERWRITE, written)

        return self._ask_name(f"Destination filename [{name}]? ", name, to_flash)

    def _confirm(self, question: str, then: Callable[[], Reply]) -> Reply:
        """A `[confirm]` question (none with `file prompt quiet`): Enter or y goes on."""
        if self._quiet():
            return then()

        def answered(line: str) -> Reply:
            if line.strip().lower() in ("", "y", "yes"):
                return then()
            return Reply("%Error: copy aborted\n")

        self.pending = answered
        return Reply(question, prompt=False)

    def _run_dir(self, m: Match) -> Reply:
        path = m.words[1] if len(m.words) > 1 else "flash:/"
        if self.device.flash.name_of(path) is None:
            return Reply(f"%Error opening {path} (No such file or directory)\n")
        return Reply(show_dir(self.device.flash, path))

    def _run_verify_md5(self, m: Match) -> Reply:
        path = m.words[2]
        name = self.device.flash.name_of(path)
        data = self.device.flash.read(name) if name else None
        if data is None:
            return Reply(f"%Error opening {path} (No such file or directory)\n")
        digest = hashlib.md5(data, usedforsecurity=False).hexdigest()
        return Reply(f".....Done!\nverify /md5 ({path}) = {digest}\n\n")

    def _run_more(self, m: Match) -> Reply:
        text = self._read_file(m.words[1])
        if text is None:
            return Reply(f"%Error opening {m.words[1]} (No such file or directory)\n")
        return Reply(text if text.endswith("\n") or not text else text + "\n")

    def _run_delete(self, m: Match) -> Reply:
        path = m.words[-1]
        name = self.device.flash.name_of(path) or ""

        def remove(answer: str) -> Reply:
            target = self.device.flash.name_of(answer) or ""
            if not self.device.flash.delete(target):
                shown = path if target == name else answer
                return Reply(f"%Error deleting {shown} (No such file or directory)\n")
            return Reply()

        if "/force" in m.words:
            return remove(name)
        return self._ask_name(f"Delete filename [{name}]? ", name, remove)

    # -- archive ---------------------------------------------------------------------------

    def _run_show_archive(self, _m: Match) -> Reply:
        if not self._archive_on():
            return Reply("\nArchive feature not enabled\n")
        return Reply(
            "The maximum archive configurations allowed is 10.\n"
            "There are currently 0 archive configurations saved.\n"
            "The next archive file will be named flash:archive-1\n"
            " Archive #  Name\n"
            "   1\n"
        )

    def _run_show_rollback_timer(self, _m: Match) -> Reply:
        pending = self.device.pending
        if pending is None:
            return Reply("%No Rollback Confirmed Change pending\n")
        return Reply(
            f"Time configured(or reset) : {ios_time(pending.configured_at)}\n"
            "Timer type: revert timer\n"
            f"Timer value: {pending.minutes} min\n"
            f"User: {pending.user}\n"
        )

    def _run_show_archive_differences(self, m: Match) -> Reply:
        paths = list(m.words[4:])
        if len(paths) == 1:
            paths.insert(0, "system:running-config")
        texts = [self._read_file(p) for p in paths]
        for path, text in zip(paths, texts, strict=True):
            if text is None:
                return Reply(f"%Error opening {path} (No such file or directory)\n")
        old = hconfig.load(texts[0] or "", self.device.platform)  # as the device stores them
        new = hconfig.load(texts[1] or "", self.device.platform)
        return Reply(diff_configs(old, new))

    def _run_show_incremental_diffs(self, m: Match) -> Reply:
        path = m.words[4]
        text = self._read_file(path)
        if text is None:
            return Reply(f"%Error opening {path} (No such file or directory)\n")
        change = hconfig.load(text, self.device.platform)
        return Reply(incremental_diffs(self.device.running, change))

    # -- tclsh (NAPALM/Netmiko inline transfer) --------------------------------------------

    def _run_tclsh(self, _m: Match) -> Reply:
        self.tcl = True
        return Reply()

    def _tcl_line(self, line: str) -> Reply:
        stripped = line.strip()
        if stripped in ("tclquit", "exit"):
            self.tcl = False
            return Reply()
        m = re.match(r'puts \[open "([^"]+)" w\+?\] \{(.*)$', line.lstrip())
        if m:
            return self._tcl_puts(m.group(1), m.group(2))
        if not stripped:
            return Reply()
        return self._exec_line(line)

    def _tcl_puts(self, path: str, first: str) -> Reply:
        lines: list[str] = []

        def take(text: str) -> Reply:
            if "}" in text:
                lines.append(text.split("}", 1)[0])
                return self._tcl_write(path, "\n".join(lines) + "\n")
            lines.append(text)
            self.pending = take
            return Reply("+>", prompt=False)

        return take(first)

    def _tcl_write(self, path: str, content: str) -> Reply:
        name = self.device.flash.name_of(path)
        if not name:
            return Reply(f'couldn\'t open "{path}": no such file or directory\n')
        try:
            self.device.flash.write(name, content.encode())
        except FlashFullError:
            return Reply(f'error writing "{path}": no space left on device\n')
        return Reply()

    # -- operational show commands (labstate: the logic is in show_ports / show_office) -----

    def _run_show_interfaces(self, m: Match) -> Reply:
        return Reply(show_ports.show_interfaces(self.device, _arg(m, 2)))

    def _run_show_interfaces_description(self, _m: Match) -> Reply:
        return Reply(show_ports.show_interfaces_description(self.device))

    def _run_show_interface_summary(self, _m: Match) -> Reply:
        return Reply(show_ports.show_interface_summary(self.device))

    def _run_show_interfaces_status(self, _m: Match) -> Reply:
        return Reply(show_ports.show_interfaces_status(self.device))

    def _run_show_interfaces_switchport(self, m: Match) -> Reply:
        return Reply(show_ports.show_interfaces_switchport(self.device, _arg(m, 2, after=1)))

    def _run_show_interfaces_trunk(self, _m: Match) -> Reply:
        return Reply(show_ports.show_interfaces_trunk(self.device))

    def _run_show_ip_interface(self, m: Match) -> Reply:
        return Reply(show_ports.show_ip_interface(self.device, _arg(m, 3)))

    def _run_show_ipv6_interface(self, _m: Match) -> Reply:
        return Reply(show_ports.show_ipv6_interface(self.device))

    def _run_show_vlan_all_ports(self, _m: Match) -> Reply:
        return Reply(show_ports.show_vlan(self.device, brief=True, trunks=True))

    def _run_show_vlan_id(self, m: Match) -> Reply:
        return Reply(show_ports.show_vlan_id(self.device, int(m.words[3])))

    def _run_show_running_interface(self, m: Match) -> Reply:
        return Reply(show_ports.show_running_interface(self.device, m.words[3]))

    def _run_show_inventory(self, _m: Match) -> Reply:
        return Reply(show_office.show_inventory(self.device))

    def _run_show_ip_route(self, _m: Match) -> Reply:
        return Reply(show_office.show_ip_route(self.device))

    def _run_show_lldp(self, _m: Match) -> Reply:
        return Reply(show_office.show_lldp_neighbors(self.device))

    def _run_show_lldp_detail(self, _m: Match) -> Reply:
        return Reply(show_office.show_lldp_neighbors(self.device, detail=True))

    def _run_show_cdp(self, _m: Match) -> Reply:
        return Reply(show_office.show_cdp_neighbors(self.device))

    def _run_show_cdp_detail(self, _m: Match) -> Reply:
        return Reply(show_office.show_cdp_neighbors(self.device, detail=True))

    def _run_show_arp(self, _m: Match) -> Reply:
        return Reply(show_office.show_arp(self.device))

    def _run_show_mac_table(self, _m: Match) -> Reply:
        return Reply(show_office.show_mac_address_table(self.device))

    def _run_show_environment(self, _m: Match) -> Reply:
        return Reply(show_office.show_environment(self.device))

    def _run_show_temperature(self, _m: Match) -> Reply:
        return Reply(show_office.show_environment_temperature(self.device))

    def _run_show_processes_cpu(self, _m: Match) -> Reply:
        return Reply(show_office.show_processes_cpu(self.device))

    def _run_show_memory_statistics(self, _m: Match) -> Reply:
        return Reply(show_office.show_memory_statistics(self.device))

    def _run_show_snmp_chassis(self, _m: Match) -> Reply:
        return Reply(show_office.show_snmp_chassis(self.device))

    def _run_show_ntp_associations(self, _m: Match) -> Reply:
        return Reply(show_office.show_ntp_associations(self.device))

    def _run_show_vrf(self, _m: Match) -> Reply:
        return Reply(show_office.show_vrf_detail(self.device))

    def _run_show_lldp_status(self, _m: Match) -> Reply:
        return Reply(show_office.show_lldp_status(self.device))

    def _run_show_cdp_status(self, _m: Match) -> Reply:
        return Reply(show_office.show_cdp_status(self.device))

    def _run_show_flash(self, _m: Match) -> Reply:
        return Reply(show_dir(self.device.flash, "flash:/"))


def _arg(m: Match, index: int, after: int = 0) -> str | None:
    """The optional word at `index` of a matched command (an interface name), when `after`
    keywords follow it (`show interfaces Gi1/0/1 switchport`)."""
    return m.words[index] if len(m.words) > index + after else None


def _refused_column(command: str, word: str) -> int:
    """Where IOS puts the caret for a refused word: under an interface's number (the type
    is a keyword it took), else under the word."""
    at = command.lower().rfind(word.lower()) if word else -1
    if at < 0:  # typed short (Gi1/0/9): the last word as typed
        word, at = tokenize(command)[-1]
    digit = re.search(r"\d", word)
    return at + (digit.start() if digit and word[0].isalpha() else 0)


def _single(text: str, platform: str) -> HConfig:
    config = hconfig.lines_config([], platform)
    config.add_child(text)
    return config


def _copied(size: int) -> str:
    return f"{size} bytes copied in 0.021 secs ({size * 47} bytes/sec)\n"


_PIPES = ("include", "exclude", "begin", "section", "count")


def _pipe(output: str, pipe: str) -> str | None:
    """`| include`, `| exclude`, `| begin`, `| section`, `| count` (regexes, as IOS)."""
    word, _, pattern = pipe.partition(" ")
    hits = [p for p in _PIPES if p.startswith(word.lower())]
    if len(hits) != 1:
        return None
    kind, pattern = hits[0], pattern.strip()
    try:
        regex = re.compile(pattern)
    except re.error:
        regex = re.compile(re.escape(pattern))
    lines = output.splitlines()
    if kind == "include":
        kept = [ln for ln in lines if regex.search(ln)]
    elif kind == "exclude":
        kept = [ln for ln in lines if not regex.search(ln)]
    elif kind == "begin":
        start = next((i for i, ln in enumerate(lines) if regex.search(ln)), len(lines))
        kept = lines[start:]
    elif kind == "count":
        return (
            f"Number of lines which match regexp = {sum(1 for ln in lines if regex.search(ln))}\n"
        )
    else:
        kept = []
        block: list[str] = []
        for ln in [*lines, ""]:
            if ln.startswith(" ") and block:
                block.append(ln)
                continue
            if block and any(regex.search(b) for b in block):
                kept.extend(block)
            block = [ln] if ln and not ln.startswith("!") else []
    return "\n".join(kept) + ("\n" if kept else "")


def _until_drop(text: str, cli: Cli) -> tuple[str, bool]:
    """A config file's lines up to where the drop_after fault cuts the session (each line
    is a config command, as when typed); True when it cuts."""
    drop_after = cli.device.faults.drop_after
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("!")]
    if drop_after is None or cli.config_commands + len(lines) <= drop_after:
        cli.config_commands += len(lines)
        return text, False
    kept = lines[: max(drop_after - cli.config_commands, 0)]
    cli.config_commands = drop_after + 1
    return "\n".join(kept) + "\n", True
