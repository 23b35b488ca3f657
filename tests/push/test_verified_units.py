"""The verified-config fingerprints without a lab (fast enough for every mutant of
`bench/mutation.py`): what a saved state gives back, which entry matches, and that a
fingerprint depends on what the remediation was planned with, not on how it was stored."""

from __future__ import annotations

from nornir_config.platforms import driver
from nornir_config.push.verified import (
    RunningFingerprints,
    Verified,
    VerifiedConfigs,
    read_verified,
    write_verified,
)

PLATFORM = driver("cisco_ios")
RUNNING = "Building configuration...\n\nhostname R1\n!\nlogging buffered 8000\nend\n"
INTENDED = "hostname R1\nlogging buffered 8000\n"


def test_verified_entries_read_back_as_written() -> None:
    entries = {
        "r2": Verified("f2"),
        "r1": Verified("f1", ("snmp-server community <removed> RO", "ip http server")),
    }
    written = write_verified(entries)
    assert list(written) == ["r1", "r2"]  # sorted: the state file's diff stays small
    assert written["r2"] == {"fingerprint": "f2", "protected": []}
    assert read_verified({"verified": written}) == entries


def test_a_state_with_no_or_garbled_verified_part_gives_what_it_can() -> None:
    assert read_verified({}) == {}  # a state written before fingerprints
    assert read_verified({"verified": ["r1"]}) == {}
    garbled = {
        "r1": {"fingerprint": "f1"},  # no `protected` (an older state): none kept
        "r2": "f2",
        "r3": {"fingerprint": 3},
        "r4": {"protected": ["x"]},
    }
    assert read_verified({"verified": garbled}) == {"r1": Verified("f1", ())}


def test_only_the_hosts_own_matching_fingerprint_matches() -> None:
    mine = RunningFingerprints.of_run({"snmp": "s3cret"}, "salt")
    fingerprint = mine.of(RUNNING, INTENDED, PLATFORM, ("^logging ",), {"k": {"fingerprint": "v"}})
    entry = Verified(fingerprint, ("ip http server",))
    known = VerifiedConfigs(mine, {"r1": entry})
    # the run's own `of` is the fingerprints' `of`, argument for argument
    assert (
        known.of(RUNNING, INTENDED, PLATFORM, ("^logging ",), {"k": {"fingerprint": "v"}})
        == fingerprint
    )
    assert known.match("r1", fingerprint) is entry
    assert known.match("r2", fingerprint) is None  # another host's entry
    other = known.of(RUNNING, INTENDED, PLATFORM, ("^logging ",), {"k": {"fingerprint": "w"}})
    assert other != fingerprint and known.match("r1", other) is None
    assert known.match("r1", "") is None


def test_a_fingerprint_does_not_depend_on_the_order_proven_ciphers_were_stored_in() -> None:
    """The device-cipher fingerprints come back from a JSON file in the order it was written,
    not the one the last push recorded them in: the same ones are the same fingerprint."""
    mine = RunningFingerprints.of_run({"snmp": "s3cret"}, "salt")
    recorded = {  # Fingerprints.known: per line key, the cipher's mark and when it was pushed
        "local-user a password irreversible-cipher <removed>": {
            "fingerprint": "h1",
            "pushed": "t1",
        },
        "local-user b password irreversible-cipher <removed>": {
            "fingerprint": "h2",
            "pushed": "t2",
        },
    }
    loaded = dict(reversed(recorded.items()))
    assert list(loaded) != list(recorded)
    assert mine.of(RUNNING, INTENDED, PLATFORM, (), recorded) == mine.of(
        RUNNING, INTENDED, PLATFORM, (), loaded
    )
    assert mine.of(RUNNING, INTENDED, PLATFORM, (), recorded) != mine.of(
        RUNNING, INTENDED, PLATFORM, ()
    )
