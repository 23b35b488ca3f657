"""The secrets store's promises, checked without a lab (fast enough for every mutant of
`bench/mutation.py`): a store others can read, or one inside the repository, is refused; bad
files and missing or uncarriable secrets are one-line errors naming the file, the item and the
fix; variables override the file; a written store is 0600; `reveal` fills only known names."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from nornir_config.errors import InputError
from nornir_config.secrets import (
    DEFAULT_FILE,
    FILE_ENV,
    Secrets,
    load_secrets,
    reveal,
    secret_spans,
    with_forms,
    write_secrets_file,
)


def _message(error: pytest.ExceptionInfo[InputError]) -> str:
    return str(error.value)


def _store(path: Path, text: str, mode: int = 0o600) -> Path:
    path.write_text(text, encoding="utf-8")
    path.chmod(mode)
    return path


def test_file_values_then_variables_override_them(tmp_path: Path) -> None:
    path = _store(tmp_path / "s.yaml", "ntp_key: FileNtpKey\nport: 22\nempty_ok: x\n")
    env = {
        FILE_ENV: str(path),
        "COMMUNELAN_SECRET_NTP_KEY": "EnvNtpKey",
        "COMMUNELAN_SECRET_TACACS_KEY": "",  # empty: not set
        "OTHER_NTP_KEY": "ignored",
    }
    loaded = load_secrets(environ=env)
    assert dict(loaded.values) == {"ntp_key": "EnvNtpKey", "port": "22", "empty_ok": "x"}
    assert dict(loaded.source) == {
        "ntp_key": "$COMMUNELAN_SECRET_NTP_KEY",
        "port": str(path),
        "empty_ok": str(path),
    }
    # The argument wins over the variable naming a file.
    other = _store(tmp_path / "o.yaml", "ntp_key: OtherKey\n")
    assert load_secrets(other, environ={FILE_ENV: str(path)}).values == {"ntp_key": "OtherKey"}
    assert load_secrets(other, environ={}).source == {"ntp_key": str(other)}
    assert load_secrets(_store(tmp_path / "e.yaml", ""), environ={}).values == {}


def test_no_file_named_means_variables_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))  # no ~/.config/communelan/secrets.yaml
    loaded = load_secrets(environ={"COMMUNELAN_SECRET_ENABLE_SECRET": "E"})
    assert loaded.values == {"enable_secret": "E"}
    assert loaded.source == {"enable_secret": "$COMMUNELAN_SECRET_ENABLE_SECRET"}
    assert load_secrets(environ={FILE_ENV: ""}).values == {}
    default = tmp_path / ".config" / "communelan" / "secrets.yaml"
    assert DEFAULT_FILE.expanduser() == default
    default.parent.mkdir(parents=True)
    _store(default, "ntp_key: DefaultKey\n")
    assert load_secrets(environ={}).values == {"ntp_key": "DefaultKey"}


def test_a_named_file_that_is_missing_is_an_error(tmp_path: Path) -> None:
    missing = tmp_path / "nope.yaml"
    with pytest.raises(InputError) as error:
        load_secrets(environ={FILE_ENV: str(missing)})
    assert _message(error) == (
        f"{missing}: file: not found; fix: create it or unset COMMUNELAN_SECRETS_FILE"
    )
    with pytest.raises(InputError):
        load_secrets(missing, environ={})


@pytest.mark.parametrize("mode", [0o640, 0o604, 0o610, 0o601, 0o620, 0o602, 0o700 | 0o004])
def test_a_store_others_can_read_is_refused(tmp_path: Path, mode: int) -> None:
    path = _store(tmp_path / "s.yaml", "ntp_key: K\n", mode)
    with pytest.raises(InputError) as error:
        load_secrets(path, environ={})
    assert _message(error) == (
        f"{path}: permissions: mode {oct(mode)} lets others read it; fix: chmod 600 {path}"
    )


def test_owner_only_modes_are_accepted(tmp_path: Path) -> None:
    for mode in (0o600, 0o400, 0o700):
        path = _store(tmp_path / f"s{mode:o}.yaml", "ntp_key: K\n", mode)
        assert load_secrets(path, environ={}).values == {"ntp_key": "K"}


def test_a_store_inside_the_repository_is_refused_unless_in_the_lab(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    (root / ".lab").mkdir(parents=True)
    inside = _store(root / "secrets.yaml", "ntp_key: K\n")
    with pytest.raises(InputError) as error:
        load_secrets(inside, root=root, environ={})
    assert _message(error) == (
        f"{inside}: location: a secrets file inside the repository could be committed; "
        "fix: move it outside the repository (e.g. ~/.config/communelan/secrets.yaml)"
    )
    lab = _store(root / ".lab" / "secrets.yaml", "ntp_key: L\n")
    assert load_secrets(lab, root=root, environ={}).values == {"ntp_key": "L"}
    outside = _store(tmp_path / "outside.yaml", "ntp_key: O\n")
    assert load_secrets(outside, root=root, environ={}).values == {"ntp_key": "O"}
    assert load_secrets(inside, environ={}).values == {"ntp_key": "K"}  # no root: not checked


def test_a_broken_store_is_one_line_naming_file_and_fix(tmp_path: Path) -> None:
    broken = _store(tmp_path / "broken.yaml", "ntp_key: K\nbad: [unclosed\n")
    with pytest.raises(InputError) as error:
        load_secrets(broken, environ={})
    assert error.value.problems[0].line == 3
    assert _message(error) == f"{broken}:3: YAML: broken YAML; fix: fix the syntax"

    latin = tmp_path / "latin.yaml"
    latin.write_bytes(b"ntp_key: caf\xe9\n")
    latin.chmod(0o600)
    with pytest.raises(InputError) as error:
        load_secrets(latin, environ={})
    assert _message(error) == f"{latin}: encoding: not UTF-8 (byte 12); fix: save the file as UTF-8"

    # A character YAML refuses outright (a reader error carries no line): no line number.
    bell = _store(tmp_path / "bell.yaml", "ntp_key: K\x07\n")
    with pytest.raises(InputError) as error:
        load_secrets(bell, environ={})
    assert _message(error) == f"{bell}: YAML: broken YAML; fix: fix the syntax"

    for text in ("- a\n- b\n", "ntp_key: [1, 2]\n", "ntp_key: {a: 1}\n"):
        shaped = _store(tmp_path / "shape.yaml", text)
        with pytest.raises(InputError) as error:
            load_secrets(shaped, environ={})
        assert _message(error) == (
            f"{shaped}: file: must map secret names to strings; fix: write 'name: value' lines"
        )


def test_missing_secrets_are_named_each_with_its_variable() -> None:
    secrets = Secrets({"enable_secret": "E", "ntp_key": ""})
    secrets.require(["enable_secret"], "hosts/x.yaml")  # all there: nothing raised
    with pytest.raises(InputError) as error:
        secrets.require(["enable_secret", "ntp_key", "password_admin"], "hosts/x.yaml")
    assert [str(p) for p in error.value.problems] == [
        f"hosts/x.yaml: secret '{name}': is missing; fix: set COMMUNELAN_SECRET_{name.upper()} "
        f"or add '{name}' to the secrets file (COMMUNELAN_SECRETS_FILE, default "
        "~/.config/communelan/secrets.yaml, mode 0600)"
        for name in ("ntp_key", "password_admin")
    ]


def test_keys_no_reversible_form_can_carry_are_refused_where_they_came_from() -> None:
    long_key = "K" * 30  # printable, no spaces, but longer than a type 7 key holds
    secrets = Secrets(
        {"ntp_key": long_key, "tacacs_key": "Fine-Key1", "enable_secret": "has spaces in it"},
        {"ntp_key": "$COMMUNELAN_SECRET_NTP_KEY"},
    )
    # enable_secret is hashed, never reversible; a name without a value is not checked
    # (`require` reports it missing).
    secrets.check_reversible(["tacacs_key", "enable_secret", "snmp_auth_key"], "hosts/x.yaml")
    Secrets({}).check_reversible(["ntp_key", "tacacs_key"], "hosts/x.yaml")
    with pytest.raises(InputError) as error:
        secrets.check_reversible(["tacacs_key", "ntp_key"], "hosts/x.yaml")
    assert [str(p) for p in error.value.problems] == [
        "$COMMUNELAN_SECRET_NTP_KEY: secret 'ntp_key': has characters a type 7 key cannot "
        "carry (non-ASCII, spaces, or too long); fix: use a shorter key of printable ASCII "
        "letters, digits and punctuation"
    ]
    spaced = Secrets({"tacacs_key": "two words"})
    with pytest.raises(InputError) as error:
        spaced.check_reversible(["tacacs_key"], "hosts/y.yaml")
    (problem,) = error.value.problems
    assert problem.file == "hosts/y.yaml" and problem.item == "secret 'tacacs_key'"
    assert problem.message.startswith("has characters a type 7 key or ")


def test_written_store_is_owner_only_and_reads_back(tmp_path: Path) -> None:
    path = tmp_path / "deep" / "er" / "secrets.yaml"
    path.parent.mkdir(parents=True)
    path.write_text("old: value\nlonger: than the new one\n")
    path.chmod(0o644)
    old_umask = os.umask(0)
    try:
        assert write_secrets_file(path, {"ntp_key": "N", "tacacs_key": "T"}) == path
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text(encoding="utf-8") == "ntp_key: N\ntacacs_key: T\n"
    fresh = write_secrets_file(tmp_path / "new" / "s.yaml", {"a": "1"})
    assert stat.S_IMODE(fresh.stat().st_mode) == 0o600
    assert load_secrets(fresh, environ={}).values == {"a": "1"}


def test_a_written_store_is_never_wider_than_0600_even_before_its_chmod(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(Path, "chmod", lambda self, mode: None)  # only the creation mode counts
    old_umask = os.umask(0)
    try:
        path = write_secrets_file(tmp_path / "s.yaml", {"a": "1"})
    finally:
        os.umask(old_umask)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_reveal_fills_known_names_only() -> None:
    secrets = Secrets({"ntp_key": "N1", "tacacs_key": "T2"})
    text = "key <secret:ntp_key> and <secret:tacacs_key>; <secret:unknown> <secret:Upper>"
    assert reveal(text, secrets) == "key N1 and T2; <secret:unknown> <secret:Upper>"


def test_secret_spans_find_every_form_of_eight_characters_or_more_or_say_they_cannot() -> None:
    text = "a Exactly8 b Exactly8 c Longer-Form-1 d"
    spans = secret_spans(text, {"k8": "Exactly8", "long": "Longer-Form-1"})
    assert spans == [(2, 10, "k8"), (13, 21, "k8"), (24, 37, "long")]
    assert with_forms(text, spans, {"k8": "<8>", "long": "<L>"}) == "a <8> b <8> c <L> d"
    assert secret_spans(text, {"short": "Exactly"}) is None  # 7: too short to tell
    assert secret_spans("xxAbcdefghij", {"a": "Abcdefgh", "b": "defghij9"}) == [(2, 10, "a")]
    assert secret_spans("Abcdefghij", {"a": "Abcdefgh", "b": "cdefghij"}) is None  # overlap
    # three times, and two forms back to back (touching, not overlapping)
    assert secret_spans("Exactly8 Exactly8 Exactly8", {"k": "Exactly8"}) == [
        (0, 8, "k"), (9, 17, "k"), (18, 26, "k")
    ]  # fmt: skip
    assert secret_spans("Abcdefgh12345678", {"a": "Abcdefgh", "n": "12345678"}) == [
        (0, 8, "a"), (8, 16, "n")
    ]  # fmt: skip
