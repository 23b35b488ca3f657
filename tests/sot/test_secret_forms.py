"""A secret the reversible form cannot carry is refused before anything renders, and never
crashes the redactor (type 7 holds at most 25 characters)."""

from __future__ import annotations

import pytest

from nornir_config.errors import InputError
from nornir_config.platforms import driver
from nornir_config.secrets import Secrets, redact, reversible


def test_a_long_secret_is_still_redacted() -> None:
    long_password = "P" * 40
    secrets = Secrets({"password_admin": long_password, "ntp_key": "ShortKey77"})
    text = f"error: {long_password} and {reversible(driver('cisco_ios'), 'ShortKey77', 'p', 'n')}"
    shown = redact(text, secrets, driver("cisco_ios"))
    assert long_password not in shown and "ShortKey77" not in shown
    assert "<secret:password_admin>" in shown and "<secret:ntp_key>" in shown


@pytest.mark.parametrize("key", ["k" * 26, "khóa-bí-mật", "two words"])
def test_a_key_type7_cannot_carry_is_one_clear_error(key: str) -> None:
    secrets = Secrets({"tacacs_key": key, "ntp_key": "k" * 25})
    with pytest.raises(InputError) as caught:
        secrets.check_reversible(["tacacs_key", "ntp_key"], "secrets")
    assert len(caught.value.problems) == 1
    message = str(caught.value)
    assert "tacacs_key" in message and "type 7 key" in message and "\n" not in message
