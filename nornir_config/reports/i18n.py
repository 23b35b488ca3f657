"""Report labels in the auditor's language (`messages.yaml`: Vietnamese default, English)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import yaml

from nornir_config.errors import InputError

LANGUAGES = ("vi", "en")
_MESSAGES = Path(__file__).with_name("messages.yaml")


@cache
def _all() -> dict[str, dict[str, str]]:
    data = yaml.safe_load(_MESSAGES.read_text(encoding="utf-8"))
    return {str(k): {str(lang): str(text) for lang, text in v.items()} for k, v in data.items()}


def labels(lang: str) -> dict[str, str]:
    """Every label in `lang` (bad input when the language is not shipped)."""
    if lang not in LANGUAGES:
        raise InputError.one(
            "--lang", lang, "unknown language", f"use one of: {', '.join(LANGUAGES)}"
        )
    return {key: texts[lang] for key, texts in _all().items()}
