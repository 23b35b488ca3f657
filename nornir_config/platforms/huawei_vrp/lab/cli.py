"""One session's VRP command line: user view `<host>`, system view `[host]` and its views
(`[host-GigabitEthernet0/0/1]`), `undo`, `quit`/`return`, `save`'s [Y/N], VRP's error carets."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from nornir_config.lab.spec import DeviceFaults
from nornir_config.platforms.base import Reply
from nornir_config.platforms.huawei_vrp.lab import edit, grammar, shows, tree
from nornir_config.platforms.huawei_vrp.lab.device import VrpDevice

MESSAGES = {
    "unrecognized": "Error: Unrecognized command found at '^' position.",
    "wrong": "Error: Wrong parameter found at '^' position.",
    "incomplete": "Error:Incomplete command found at '^' position.",
    "ambiguous": "Error:Ambiguous command found at '^' position.",
}
SYSTEM_VIEW = "Enter system view, return user view with Ctrl+Z."
_ANYWHERE = ("display ", "save", "dir")  # user-view commands VRP takes in every view


@dataclass
class Frame:
    view: str
    path: list[str] = field(default_factory=list)
    suffix: str = ""


class VrpSession:
    """The command line of one session on `device`."""

    def __init__(self, device: VrpDevice, user: str, privilege: int = 15) -> None:
        self.device = device
        self.user = user
        self.privilege = privilege
        self.stack: list[Frame] = []
        self.pending: Callable[[str], Reply] | None = None
        self.echo = True
        self.length = 24
        self.config_commands = 0

    @property
    def prompt(self) -> str:
        host = self.device.hostname
        if not self.stack:
            return f"<{host}>"
        return f"[{host}{self.stack[-1].suffix}]"

    def help(self, line: str) -> str:
        view = self.stack[-1].view if self.stack else "user"
        words = grammar.split(line)
        first = {c.tokens[0].words[0] for c in grammar.views()[view].commands if c.tokens}
        typed = words[0][0].lower() if words and not line.endswith(" ") else ""
        hits = sorted(w for w in first if w.startswith(typed))
        return "\n".join(f"  {w}" for w in hits) + "\n" if hits else "Error: Unrecognized command\n"

    def complete(self, line: str) -> str | None:
        view = self.stack[-1].view if self.stack else "user"
        words = line.split()
        if len(words) != 1 or line.endswith(" "):
            return None
        first = {c.tokens[0].words[0] for c in grammar.views()[view].commands if c.tokens}
        hits = [w for w in first if w.startswith(words[0].lower())]
        return hits[0] + " " if len(hits) == 1 else None

    def ctrl_z(self) -> Reply:
        self.stack.clear()
        return Reply()

    # -- input -----------------------------------------------------------------------------

    def feed(self, line: str) -> Reply:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.echo = True
            return pending(line)
        if not line.strip():
            return Reply()
        if self.stack:
            return self._config(line)
        return self._user(line)

    def _error(self, kind: str, column: int) -> Reply:
        return Reply(" " * (len(self.prompt) + column) + "^\n" + MESSAGES[kind] + "\n")

    def _rejected(self, line: str) -> bool:
        return any(re.search(p, line) for p in self.device.faults.reject_commands)

    def _known(self, name: str) -> bool:
        return name in self.device.spec.interfaces

    def _user(self, line: str) -> Reply:
        command, _, pipe = line.partition("|")
        if self._rejected(command):
            return self._error("unrecognized", len(command) - len(command.lstrip()))
        result = grammar.match("user", command, self._known)
        if isinstance(result, grammar.Failure):
            return self._error(result.kind, result.column)
        reply: Reply = getattr(self, "_run_" + result.entry["run"])(result)
        if pipe.strip():
            filtered = _pipe(reply.output, pipe.strip())
            if filtered is None:
                return self._error("unrecognized", len(command) + 1)
            reply.output = filtered
        return reply

    def _config(self, line: str) -> Reply:
        stripped = line.strip()
        word = stripped.split()[0].lower()
        if word in ("quit", "qui", "q"):
            self.stack.pop()
            return Reply()
        if word in ("return", "retur", "retu", "ret"):
            self.stack.clear()
            return Reply()
        if stripped.startswith(_ANYWHERE):
            return self._user(line)
        if stripped.startswith("header ") and stripped.count('"') == 1:
            return self._collect(line)
        self.config_commands += 1
        drop_after = self.device.faults.drop_after
        if drop_after is not None and self.config_commands > drop_after:
            return Reply(prompt=False, close=True, abort=True)
        if self._rejected(line):
            return self._error("unrecognized", len(line) - len(line.lstrip()))
        return self.execute(line)

    def _collect(self, first: str) -> Reply:
        """A quoted banner typed over several lines, up to its closing quote."""
        lines = [first]

        def more(line: str) -> Reply:
            lines.append(line)
            if '"' in line:
                return self.execute("\n".join(lines))
            self.pending = more
            return Reply(prompt=False)

        self.pending = more
        return Reply(prompt=False)

    def execute(self, line: str) -> Reply:
        """One config command in the current view (or a parent view, which it moves to)."""
        negated = line.lstrip().lower().startswith("undo ")
        body = line.lstrip()[5:] if negated else line.lstrip()
        offset = len(line) - len(body)
        first: grammar.Failure | None = None
        for depth in range(len(self.stack) - 1, -1, -1):
            frame = self.stack[depth]
            result = grammar.match(frame.view, body, self._known, offset, prefix_ok=negated)
            if isinstance(result, grammar.Match):
                del self.stack[depth + 1 :]
                return self._apply(result, negated)
            first = first or result
            if result.kind != "unrecognized" or result.column > offset:
                return self._error(result.kind, result.column)
        assert first is not None
        return self._error(first.kind, first.column)

    def _apply(self, result: grammar.Match, negated: bool) -> Reply:
        frame = self.stack[-1]
        text = _store_secrets(
            result.entry.get("store", "{}").format(*result.values)
            if "store" in result.entry
            else result.text
        )
        if any(re.search(p, text) for p in self.device.faults.ignore_commands):
            return Reply()
        if negated:
            edit.undo(self.device.running, frame.path, text)
        else:
            enter = result.entry.get("enter")
            edit.add(self.device.running, frame.path, text, section=bool(enter))
            if enter:
                suffix = result.entry.get("prompt", "").format(*result.values)
                self.stack.append(Frame(enter, [*frame.path, text], suffix))
        self.device.touch()
        return Reply()

    # -- user view -------------------------------------------------------------------------

    def _run_noop(self, _m: grammar.Match) -> Reply:
        return Reply()

    def _run_system_view(self, _m: grammar.Match) -> Reply:
        if self.privilege < 2:
            return Reply("Error: You do not have permission to run the command.\n")
        self.stack = [Frame("system")]
        return Reply(SYSTEM_VIEW + "\n")

    def _run_quit(self, _m: grammar.Match) -> Reply:
        return Reply(prompt=False, close=True)

    def _run_screen_length(self, m: grammar.Match) -> Reply:
        self.length = int(m.values[0])
        return Reply(
            "Info: The configuration takes effect on the current user terminal interface only.\n"
        )

    def _run_display_current(self, _m: grammar.Match) -> Reply:
        return Reply(self.device.current_configuration())

    def _run_display_saved(self, _m: grammar.Match) -> Reply:
        if not self.device.saved:
            return Reply("Info: There is no saved configuration file.\n")
        return Reply(self.device.saved)

    def _run_save(self, m: grammar.Match) -> Reply:
        name = m.values[0] if m.values else ""
        if name:
            target = self.device.flash.name_of(name) or name
            question = f"Are you sure to save the configuration to flash:/{target}?[Y/N]:"
        else:
            target = ""
            question = (
                "The current configuration will be written to flash:/vrpcfg.zip.\n"
                "Are you sure to continue?[Y/N]:"
            )

        def answer(line: str) -> Reply:
            if line.strip().lower() not in ("y", "yes"):
                return Reply("Info: The configuration was not saved.\n")
            if target:
                self.device.flash.write(target, self.device.current_configuration().encode())
            else:
                self.device.save()
            return Reply(
                "Now saving the current configuration to the slot 0.\n"
                "Save the configuration successfully.\n"
            )

        self.pending = answer
        return Reply(question, prompt=False)

    def _run_dir(self, m: grammar.Match) -> Reply:
        return Reply(shows.directory(self.device, m.values[0] if m.values else "flash:/"))

    def _run_delete(self, m: grammar.Match) -> Reply:
        name = self.device.flash.name_of(m.values[-1]) or ""

        def remove(_line: str = "y") -> Reply:
            if _line.strip().lower() not in ("y", "yes"):
                return Reply()
            if not self.device.flash.delete(name):
                return Reply(f"Error: File flash:/{name} does not exist.\n")
            return Reply(f"Info: Deleting file flash:/{name}...succeeded.\n")

        if "/quiet" in m.text:
            return remove()
        self.pending = remove
        return Reply(f"Delete flash:/{name}? (y/n)[n]:", prompt=False)

    def _run_file_md5(self, m: grammar.Match) -> Reply:
        return Reply(shows.file_md5(self.device, m.values[0]))

    def _run_rollback_file(self, m: grammar.Match) -> Reply:
        name = self.device.flash.name_of(m.values[0]) or ""
        data = self.device.flash.read(name)
        if data is None:
            return Reply(f"Error: The file flash:/{name} does not exist.\n")

        def answer(line: str) -> Reply:
            if line.strip().lower() not in ("y", "yes"):
                return Reply("Info: The rollback was cancelled.\n")
            return self.rollback_to(data.decode("utf-8", "replace"))

        self.pending = answer
        return Reply(
            "Warning: All the configurations will be rolled back to the configurations in the "
            "specified file. Continue? [Y/N]:",
            prompt=False,
        )

    def rollback_to(self, text: str) -> Reply:
        """Make the running configuration the file's (VRP undoes what the file lacks)."""
        faults = self.device.faults
        candidate, errors = load(self.device, text, faults)
        if faults.fail_replace_partial > 0:
            faults.fail_replace_partial -= 1
            half = candidate.children[: max(1, len(candidate.children) // 2)]
            for node in half:
                old = self.device.running.child(node.text)
                if old is not None:
                    self.device.running.children.remove(old)
                self.device.running.children.append(node)
            self.device.touch()
            return Reply("Error: Failed to roll back the configuration: the operation stopped.\n")
        if faults.fail_replace or errors:
            return Reply(
                "Error: Failed to roll back the configuration. "
                "The configuration has been restored.\n"
            )
        self.device.running = candidate
        self.device.touch()
        if faults.drop_after_replace > 0:  # applied, then the link drops
            faults.drop_after_replace -= 1
            return Reply(prompt=False, close=True, abort=True)
        return Reply("Info: Rollback configuration succeeded.\n")

    def _run_ping(self, m: grammar.Match) -> Reply:
        return Reply(shows.ping(m.values[0]))

    def __getattr__(self, name: str) -> Callable[[grammar.Match], Reply]:
        if name.startswith("_run_display_"):
            show = getattr(shows, name[len("_run_display_") :])
            return lambda m: Reply(show(self.device, *m.values))
        raise AttributeError(name)


def _store_secrets(text: str) -> str:
    """Secrets as VRP stores them: irreversible (one-way) or cipher (reversible) forms."""
    m = re.search(r"\birreversible-cipher (\S+)$", text)
    if m:
        return text[: m.start(1)] + edit.irreversible(m.group(1))
    m = re.search(r"\bcipher (\S+)(?=$| )", text)
    if m:
        return text[: m.start(1)] + edit.cipher(m.group(1)) + text[m.end(1) :]
    return text


def load(
    device: VrpDevice, text: str, faults: DeviceFaults | None = None
) -> tuple[tree.Node, list[str]]:
    """A configuration file as a running config: every line checked by the grammar in its
    view and applied in order; the lines VRP would refuse. `faults`: the device's, for a
    rollback to a file (its `ignore_commands` lines are taken without a word, not applied);
    none when booting."""
    session = VrpSession(device, "console")
    scratch = VrpDevice(device.spec, None)
    if faults is not None:
        scratch.faults = faults
    session.device = scratch
    errors: list[str] = []

    def replay(node: tree.Node, frames: list[Frame]) -> None:
        for child in node.children:
            session.stack = list(frames)
            reply = session.execute(child.text)
            if reply.output:
                errors.append(child.text.split("\n", 1)[0])
                continue
            if child.children:
                replay(child, list(session.stack))

    replay(tree.parse(text), [Frame("system")])
    return scratch.running, errors


def _pipe(output: str, pipe: str) -> str | None:
    """`| include`, `| exclude`, `| begin` (regular expressions, as VRP)."""
    word, _, pattern = pipe.partition(" ")
    kinds = [k for k in ("include", "exclude", "begin") if k.startswith(word.lower())]
    if len(kinds) != 1 or not pattern.strip():
        return None
    try:
        regex = re.compile(pattern.strip())
    except re.error:
        regex = re.compile(re.escape(pattern.strip()))
    lines = output.splitlines()
    if kinds[0] == "include":
        kept = [ln for ln in lines if regex.search(ln)]
    elif kinds[0] == "exclude":
        kept = [ln for ln in lines if not regex.search(ln)]
    else:
        start = next((i for i, ln in enumerate(lines) if regex.search(ln)), len(lines))
        kept = lines[start:]
    return "\n".join(kept) + ("\n" if kept else "")
