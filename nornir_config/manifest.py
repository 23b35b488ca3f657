"""What `render` wrote and from which inputs, so that lint can read the rendered configs
instead of rendering every device again.

`render` writes `<out>/.render-manifest.json` (0600, atomically, beside the configs): one hash
over every input of the text (hosts/, templates/, config.yaml, the package's own code and
data), and per device the hash of the config it wrote and where that config holds the
secrets' forms. Secrets are not inputs: lint renders with placeholders, so it takes a written
config with each secret's form replaced by the placeholder's, which is the text its own render
would give. Lint trusts a config only when the inputs hash now is the manifest's and the file's
hash is the one recorded: any edit (hosts/, a template, the code, the file itself) or a missing
file means that device is rendered afresh. The manifest holds no secret (offsets and names), and
sits in the same private folder as the configs it describes.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nornir_config
from nornir_config.compliance.fingerprints import keyed_hash
from nornir_config.render import RenderSummary, write_private
from nornir_config.secrets import Spans, with_forms
from nornir_config.settings import RunSettings

FILE = ".render-manifest.json"
# keyed_hash's key here only names the use: these are content hashes, not secrets.
_KEY = "communelan-render"
VERSION = 1


def input_paths(settings: RunSettings) -> list[Path]:
    """Everything a rendered config depends on, secrets aside."""
    package = Path(nornir_config.__file__).parent
    return [settings.hosts_dir, settings.templates_dir, settings.nornir_config_file, package]


def inputs_hash(paths: Iterable[Path]) -> str:
    """One hash over the name and content of every file under `paths` (compiled bytecode
    aside)."""
    parts: list[str | bytes] = []
    for top in paths:
        files = [top] if top.is_file() else sorted(p for p in top.rglob("*") if p.is_file())
        for path in files:
            if "__pycache__" not in path.parts:
                parts += [str(path), path.read_bytes()]
    return keyed_hash(_KEY, *parts)


def text_hash(text: str) -> str:
    return keyed_hash(_KEY, text)


def record(out_dir: Path, inputs: str, summary: RenderSummary) -> None:
    """After a render into `out_dir`: the manifest of what it wrote (entries of devices
    not rendered now are kept when the inputs are the same; the file hash guards them)."""
    devices: dict[str, Any] = {}
    previous = _read(out_dir)
    if previous is not None and previous.get("inputs") == inputs:
        devices.update(previous.get("devices", {}))
    for host in summary.removed:
        devices.pop(host, None)
    for host, text in summary.configs.items():
        spans = summary.spans.get(host)
        if spans is None:
            devices.pop(host, None)  # lint renders it itself
        else:
            devices[host] = {"hash": text_hash(text), "spans": spans}
    data = {"version": VERSION, "inputs": inputs, "devices": devices}
    write_private(out_dir / FILE, json.dumps(data, separators=(",", ":")).encode())


def _read(out_dir: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((out_dir / FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and data.get("version") == VERSION else None


@dataclass(frozen=True)
class Rendered:
    """The configs a render wrote from the inputs as they are now."""

    out_dir: Path
    devices: Mapping[str, Any]

    @classmethod
    def load(cls, out_dir: Path, inputs: str) -> Rendered | None:
        """None without a manifest, or with one written from other inputs."""
        data = _read(out_dir)
        if data is None or data.get("inputs") != inputs:
            return None
        devices = data.get("devices")
        return cls(out_dir, devices) if isinstance(devices, dict) else None

    def text(self, host: str, forms: Mapping[str, str]) -> str | None:
        """The config written for `host` with the secrets in `forms` (as its own render with
        them would give); None when there is no entry or the file is not what was written."""
        entry = self.devices.get(host)
        if not isinstance(entry, dict):
            return None
        try:
            text = (self.out_dir / f"{host}.cfg").read_bytes().decode("utf-8")
        except (OSError, UnicodeDecodeError):
            return None
        if text_hash(text) != entry.get("hash"):
            return None
        try:
            spans: Spans = [(int(s), int(e), str(n)) for s, e, n in entry["spans"]]
            return with_forms(text, spans, forms)
        except (KeyError, TypeError, ValueError):
            return None
