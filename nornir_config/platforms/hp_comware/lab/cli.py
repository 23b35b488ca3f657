"""The Comware 7 command line of one lab session: views, prompts, `undo`, display and save.

Transport-free: the lab server feeds whole lines and prints the replies, so the same code
serves SSH shells, exec channels and config files (`configuration replace file`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from nornir_config.platforms.base import Reply
from nornir_config.platforms.hp_comware.lab import shows
from nornir_config.platforms.hp_comware.lab.config import Config, Entry, commands_of
from nornir_config.platforms.hp_comware.lab.grammar import (
    Failure,
    Match,
    View,
    acl_rule_problem,
    format_vlans,
    load_grammar,
    match,
    tokenize,
    vlan_list,
)

if TYPE_CHECKING:
    from nornir_config.platforms.hp_comware.lab.device import ComwareDevice

MESSAGES = {
    "unrecognized": " % Unrecognized command found at '^' position.",
    "wrong": " % Wrong parameter found at '^' position.",
    "incomplete": " % Incomplete command found at '^' position.",
    "many": " % Too many parameters found at '^' position.",
}
SYSTEM_VIEW = "System View: return to User View with Ctrl+Z."
SAVED = (
    "Validating file. Please wait...\n"
    "Saved the current configuration to mainboard device successfully."
)


@dataclass
class Frame:
    view: str
    head: str
    prompt: str


@dataclass
class Loaded:
    """A config file replayed line by line: the config it builds and the lines refused."""

    config: Config
    errors: list[str] = field(default_factory=list)


class ComwareSession:
    """One session's command line on `device`."""

    def __init__(self, device: ComwareDevice, user: str, privilege: int = 15) -> None:
        self.device = device
        self.user = user
        self.privilege = privilege
        self.grammar = load_grammar()
        self.stack: list[Frame] = []
        self.pending: Callable[[str], Reply] | None = None
        self.echo = True
        self.length = 24
        self.config_commands = 0
        self.config: Config | None = None  # a file being loaded; None: the running config

    # -- prompt ------------------------------------------------------------------------------

    @property
    def target(self) -> Config:
        return self.config if self.config is not None else self.device.running

    @property
    def prompt(self) -> str:
        host = self.device.hostname
        if not self.stack:
            return f"<{host}>"
        return self.stack[-1].prompt.format(host=host)

    # -- input -------------------------------------------------------------------------------

    def feed(self, line: str) -> Reply:
        if self.pending is not None:
            pending, self.pending = self.pending, None
            self.echo = True
            return pending(line)
        stripped = line.strip()
        if not stripped:
            return Reply()
        if self.stack and self.config is None:
            self.config_commands += 1
            limit = self.device.faults.drop_after
            if limit is not None and self.config_commands > limit:
                return Reply(abort=True)
        if any(re.search(p, stripped) for p in self.device.faults.reject_commands):
            return Reply(self._caret(0, "unrecognized"))
        return self._line(stripped)

    def ctrl_z(self) -> Reply:
        self.stack.clear()
        return Reply()

    def help(self, line: str) -> str:
        view = self._view()
        words = line.split()
        first = {c.tokens[0] for c in view.commands if c.tokens}
        first |= {"display", "quit", "return", "undo", "save"}
        prefix = words[0] if words and not line.endswith(" ") else ""
        shown = sorted(w for w in first if w.startswith(prefix))
        return "\n".join(f"  {w}" for w in shown) + "\n"

    def complete(self, line: str) -> str | None:
        words = line.split()
        if len(words) != 1 or line.endswith(" "):
            return None
        view = self._view()
        hits = sorted({c.tokens[0] for c in view.commands if c.tokens[0].startswith(words[0])})
        return hits[0] + " " if len(hits) == 1 else None

    # -- helpers -----------------------------------------------------------------------------

    def _view(self) -> View:
        return self.grammar.views[self.stack[-1].view if self.stack else "system"]

    def _caret(self, column: int, kind: str) -> str:
        return " " * (len(self.prompt) + column) + "^\n" + MESSAGES[kind] + "\n"

    def _fail(self, failure: Failure, offset: int = 0) -> Reply:
        return Reply(self._caret(failure.column + offset, failure.kind))

    # -- dispatch ----------------------------------------------------------------------------

    def _line(self, line: str) -> Reply:
        words = line.split()
        head = words[0].lower()
        if head.startswith("dis") and "display".startswith(head):
            return self._display(line)
        if head == "quit" or (len(head) >= 2 and "quit".startswith(head) and self.stack):
            return self._quit()
        if head == "return" and self.stack:
            self.stack.clear()
            return Reply()
        if head == "save" and self.config is None:
            return self._save(words[1:])
        if not self.stack:
            return self._user(line, words)
        if head == "undo":
            return self._undo(line)
        if line.startswith("configuration replace file ") and self.config is None:
            return self._replace(words[3] if len(words) > 3 else "")
        return self._configure(line)

    def _user(self, line: str, words: list[str]) -> Reply:
        head = words[0].lower()
        if "system-view".startswith(head) and len(head) >= 3:
            if self.privilege < 15:
                return Reply(" Permission denied.\n")
            self.stack.append(Frame("system", "", "[{host}]"))
            return Reply(SYSTEM_VIEW + "\n")
        if line == "screen-length disable":
            self.length = 0
            return Reply()
        if head == "dir":
            return Reply(self.device.dir_listing())
        if head == "more" and len(words) == 2:
            return Reply(self.device.read_file(words[1]))
        if head == "delete" and len(words) >= 2:
            return self._delete(words[-1])
        if head == "quit":
            return Reply(close=True, prompt=False)
        return Reply(self._caret(0, "unrecognized"))

    def _quit(self) -> Reply:
        if not self.stack:
            return Reply(close=True, prompt=False)
        self.stack.pop()
        return Reply()

    # -- configuration -----------------------------------------------------------------------

    def _configure(self, line: str) -> Reply:
        view = self._view()
        found = match(view, line, self.device.spec.interfaces)
        if isinstance(found, Failure) and view.name != "system":
            # Comware runs a command of an upper view from a lower one (and leaves the view).
            upper = match(self.grammar.views["system"], line, self.device.spec.interfaces)
            if isinstance(upper, Match):
                del self.stack[1:]
                found = upper
                view = self.grammar.views["system"]
        if isinstance(found, Failure):
            return self._fail(found)
        if any(re.search(p, line) for p in self.device.faults.ignore_commands):
            return Reply()
        return self._apply(view, found, line)

    def _apply(self, view: View, found: Match, line: str) -> Reply:
        command = found.command
        words = found.words
        config = self.target
        if command.view is not None:
            head = (
                (command.store or " ".join(command.tokens)).format(*words)
                if command.store
                else " ".join(words)
            )
            if command.store:
                head = command.store.format(*words)
            entry = config.view(head)
            self._touch()
            prompt = (command.prompt or "[{host}]").replace("{host}", "\0")
            prompt = prompt.format(*words).replace("\0", "{host}")
            self.stack.append(Frame(command.view, entry.head, prompt))
            return Reply()
        text = " ".join(words)
        if view.name == "system":
            if words[0] == "header":
                return self._header(text)
            self._set_setting(config, command.key_of(words), text)
        else:
            entry = config.view(self.stack[-1].head)
            lines = entry.lines if entry.lines is not None else []
            if view.name == "acl" and words[0] == "rule":
                problem = self._acl_rule(entry, words, line)
                if problem is not None:
                    return problem
                text = " ".join(words if words[1].isdigit() else self._numbered(lines, words))
                words = tuple(text.split())
            if view.name == "interface" and words[:4] == ("port", "trunk", "permit", "vlan"):
                self._permit(lines, words[4])
            elif view.name == "interface" and words[0] == "packet-filter":
                # one filter per direction: a new one replaces the one applied the same way
                lines[:] = [x for x in lines if x.split()[::2] != ["packet-filter", words[-1]]]
                lines.append(text)
            elif view.name == "luser" and words[0] == "password" and words[1] == "simple":
                _replace_key(lines, ("password",), f"password hash {self.device.hash(words[2])}")
            else:
                stored = self.device.store_secret(text)
                _replace_key(
                    lines,
                    command.key_of(words)
                    if stored == text
                    else command.key_of(words)[: len(command.key_of(words))],
                    stored,
                )
            entry.lines = lines
        self._touch()
        return Reply()

    def _acl_rule(self, entry: Entry, words: tuple[str, ...], line: str) -> Reply | None:
        basic = entry.head.startswith("acl basic")
        tokens = tokenize(line)
        start = 3 if words[1].isdigit() else 2
        body = tokens[start:]
        if words[start - 1] not in ("permit", "deny"):
            return None
        failure = acl_rule_problem(body, basic)
        if failure is not None:
            column = failure.column
            if failure.kind == "incomplete":
                column = len(line)
            return Reply(self._caret(column, failure.kind))
        return None

    @staticmethod
    def _numbered(lines: list[str], words: tuple[str, ...]) -> tuple[str, ...]:
        ids = [int(x.split()[1]) for x in lines if x.startswith("rule ")]
        step = 5
        number = 0 if not ids else (max(ids) // step + 1) * step
        return ("rule", str(number), *words[1:])

    @staticmethod
    def _permit(lines: list[str], vlans_text: str) -> None:
        new = vlan_list(vlans_text) or []
        old: list[int] = []
        for line in list(lines):
            if line.startswith("port trunk permit vlan "):
                old = vlan_list(line[len("port trunk permit vlan ") :]) or []
                lines.remove(line)
        if 1 in new and "undo port trunk permit vlan 1" in lines:
            lines.remove("undo port trunk permit vlan 1")
        merged = sorted(set(old) | set(new) - {1})
        if merged:
            lines.append(f"port trunk permit vlan {format_vlans(merged)}")

    def _set_setting(self, config: Config, key: tuple[str, ...], text: str) -> None:
        stored = self.device.store_secret(text)
        for head in list(config.entries):
            entry = config.entries[head]
            if entry.is_view:
                continue
            if tuple(head.split()[: len(key)]) == key or head == "undo " + text:
                del config.entries[head]
        config.entries[stored] = Entry(stored)

    def _header(self, text: str) -> Reply:
        words = text.split(None, 2)
        kind = words[1]
        rest = words[2] if len(words) > 2 else ""
        delimiter = rest[0] if rest else "%"
        config = self.target
        head = f"header {kind} {delimiter}"
        for key in [k for k in config.entries if k.startswith(f"header {kind} ")]:
            del config.entries[key]
        if rest.count(delimiter) >= 2:
            config.entries[f"header {kind} {rest}"] = Entry(f"header {kind} {rest}")
            self._touch()
            return Reply()
        body: list[str] = []
        first = rest[1:]
        if first:
            body.append(first)

        def more(line: str) -> Reply:
            if delimiter in line:
                before = line.split(delimiter, 1)[0]
                body.append(before + delimiter)
                config.entries[head] = Entry(head, None, body)
                self._touch()
                return Reply()
            body.append(line.rstrip())
            self.pending = more
            return Reply(prompt=False)

        self.pending = more
        if self.config is not None:
            return Reply(prompt=False)
        return Reply(
            f"Please input banner content, and quit with the character '{delimiter}'.\n",
            prompt=False,
        )

    def _undo(self, line: str) -> Reply:
        rest = line.split(None, 1)[1] if " " in line else ""
        if not rest:
            return Reply(self._caret(len(line) + 1, "incomplete"))
        view = self._view()
        offset = len(line) - len(rest)
        found = match(view, rest, self.device.spec.interfaces, prefix=True)
        if isinstance(found, Failure) and view.name != "system":
            upper = match(self.grammar.views["system"], rest, self.device.spec.interfaces, True)
            if isinstance(upper, Match):
                del self.stack[1:]
                found, view = upper, self.grammar.views["system"]
        if isinstance(found, Failure):
            return self._fail(found, offset)
        words = found.words
        config = self.target
        text = " ".join(words)
        if found.command.view is not None:
            named = next(i for i, t in enumerate(found.command.tokens) if t.startswith("<"))
            if len(words) <= named:  # a view is undone by its name: `undo vlan 10`
                return Reply(self._caret(len(line) + 1, "incomplete"))
            if text.startswith("interface ") and text.split()[1] in self.device.spec.interfaces:
                return Reply(" % Cannot delete a physical interface.\n")
            removed = [
                h
                for h in config.entries
                if config.entries[h].is_view and (h == text or h.startswith(text + " "))
            ]
            for head in removed:
                del config.entries[head]
            self._touch()
            return Reply()
        if view.name == "system":
            removed = [
                h
                for h in config.entries
                if not config.entries[h].is_view and (h == text or h.startswith(text + " "))
            ]
            for head in removed:
                del config.entries[head]
            if not removed and text in self.grammar.default_on.get("system", frozenset()):
                config.entries["undo " + text] = Entry("undo " + text)
            self._touch()
            return Reply()
        entry = config.view(self.stack[-1].head)
        lines = entry.lines if entry.lines is not None else []
        if words[:4] == ("port", "trunk", "permit", "vlan"):
            gone = set(vlan_list(words[4]) or []) if len(words) > 4 else set()
            for current in list(lines):
                if current.startswith("port trunk permit vlan "):
                    kept = sorted(set(vlan_list(current[23:]) or []) - gone)
                    lines.remove(current)
                    if kept:
                        lines.append(f"port trunk permit vlan {format_vlans(kept)}")
            if 1 in gone and "undo port trunk permit vlan 1" not in lines:
                lines.append("undo port trunk permit vlan 1")
        else:
            for current in list(lines):
                if current == text or current.startswith(text + " "):
                    lines.remove(current)
        entry.lines = lines
        self._touch()
        return Reply()

    def _touch(self) -> None:
        if self.config is None:
            self.device.touch(self.user)

    # -- files, save, replace ----------------------------------------------------------------

    def load(self, text: str, base: Config) -> Loaded:
        """Replay a config file on `base` as the device executes one (errors kept)."""
        self.config = base
        self.stack = [Frame("system", "", "[{host}]")]
        errors: list[str] = []
        try:
            for typed in commands_of(text):
                if typed.startswith("version "):  # the image's own line, not a command
                    continue
                reply = self.feed(typed)
                if "%" in reply.output and "^" in reply.output:
                    errors.append(f"{typed}: {reply.output.strip().splitlines()[-1].strip()}")
        finally:
            self.config = None
            self.stack = []
            self.pending = None
        return Loaded(base, errors)

    def _save(self, args: list[str]) -> Reply:
        if args == ["force"]:
            return self._do_save("startup.cfg")
        if not args:
            return self._ask_save()
        if len(args) == 1 and re.fullmatch(r"(flash:/)?[\w.-]+\.cfg", args[0]):
            name = args[0].split("/")[-1]

            def confirm(answer: str) -> Reply:
                if answer.strip().lower() not in ("y", "yes"):
                    return Reply()
                return self._do_save(name, to_file=True)

            self.pending = confirm
            return Reply(
                f"The current configuration will be saved to flash:/{name}. Continue? [Y/N]:",
                prompt=False,
            )
        failure = Failure("wrong", len("save ") + 0)
        return self._fail(failure)

    def _ask_save(self) -> Reply:
        def sure(answer: str) -> Reply:
            if answer.strip().lower() not in ("y", "yes"):
                return Reply()
            self.pending = name_of
            return Reply(
                "Please input the file name(*.cfg)[flash:/startup.cfg]\n"
                "(To leave the existing filename unchanged, press the enter key):",
                prompt=False,
            )

        def name_of(answer: str) -> Reply:
            name = answer.strip().split("/")[-1] or "startup.cfg"
            if not name.endswith(".cfg"):
                return Reply("The file name is invalid(does not end with .cfg).\n")
            if self.device.flash.read(name) is None:
                return self._do_save(name)

            def overwrite(reply: str) -> Reply:
                if reply.strip().lower() not in ("y", "yes"):
                    return Reply()
                return self._do_save(name)

            self.pending = overwrite
            return Reply(f"flash:/{name} exists, overwrite? [Y/N]:", prompt=False)

        self.pending = sure
        return Reply(
            "The current configuration will be written to the device. Are you sure? [Y/N]:",
            prompt=False,
        )

    def _do_save(self, name: str, to_file: bool = False) -> Reply:
        try:
            self.device.save(name, main=not to_file)
        except OSError:
            return Reply("The file system is full. Failed to save the configuration.\n")
        if to_file:
            return Reply(
                "Now saving current configuration to the device.\n"
                f"Saving configuration flash:/{name}. Please wait...\n"
                "Configuration is saved to device successfully.\n"
            )
        return Reply("\n" + SAVED + "\n")

    def _delete(self, path: str) -> Reply:
        name = path.split("/")[-1]
        if self.device.flash.read(name) is None:
            return Reply("The file or directory doesn't exist.\n")

        def confirm(answer: str) -> Reply:
            if answer.strip().lower() not in ("y", "yes"):
                return Reply()
            self.device.flash.delete(name)
            return Reply(f"Deleting file flash:/{name}...Done.\n")

        self.pending = confirm
        return Reply(f"Delete flash:/{name}? [Y/N]:", prompt=False)

    def _replace(self, path: str) -> Reply:
        name = path.split("/")[-1]
        data = self.device.flash.read(name)
        if data is None:
            return Reply(f"The file flash:/{name} does not exist.\n")

        def answer(reply: str) -> Reply:
            if reply.strip().lower() in ("y", "yes"):
                self.device.save("startup.cfg", main=True)
            ok = self.device.replace_from(data.decode("utf-8", "replace"), self.user)
            faults = self.device.faults
            if ok and faults.drop_after_replace > 0:  # applied, then the link drops
                faults.drop_after_replace -= 1
                return Reply(prompt=False, close=True, abort=True)
            if ok:
                return Reply(
                    "Now replacing the current configuration. Please wait...\n"
                    f"Succeeded in replacing current configuration with the file flash:/{name}.\n"
                )
            return Reply(
                "Now replacing the current configuration. Please wait...\n"
                f"Failed to replace current configuration with the file flash:/{name}.\n"
            )

        self.pending = answer
        return Reply(
            "Current configuration will be lost, save current configuration? [Y/N]:",
            prompt=False,
        )

    # -- display -----------------------------------------------------------------------------

    def _display(self, line: str) -> Reply:
        command, _, pipe = line.partition("|")
        words = command.split()[1:]
        output = shows.display(self.device, words)
        if output is None:
            rest = tokenize(command)[1:]
            column = rest[0][1] if rest else len(command.split()[0]) + 1
            return Reply(self._caret(column, "unrecognized" if words else "incomplete"))
        if pipe:
            output = _pipe(output, pipe.strip())
        return Reply(output)


def _pipe(output: str, spec: str) -> str:
    """`| include X`, `| exclude X`, `| begin X` (regular expressions, as Comware takes them)."""
    kind, _, pattern = spec.partition(" ")
    regex = re.compile(pattern.strip())
    lines = output.split("\n")
    if "include".startswith(kind):
        return "\n".join(line for line in lines if regex.search(line)) + "\n"
    if "exclude".startswith(kind):
        return "\n".join(line for line in lines if not regex.search(line)) + "\n"
    if "begin".startswith(kind):
        for i, line in enumerate(lines):
            if regex.search(line):
                return "\n".join(lines[i:])
        return ""
    return output


def _replace_key(lines: list[str], key: tuple[str, ...], text: str) -> None:
    for current in list(lines):
        if tuple(current.split()[: len(key)]) == key:
            lines.remove(current)
    lines.append(text)
