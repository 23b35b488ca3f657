"""The rollback's verdicts, checked without a lab (fast enough for every mutant of
`bench/mutation.py --group push-lab`): when two configs count as the same (`config_paths`:
each line with its section, whatever order a device prints equal sections in), what a failed
rollback reports about the device, and whether a rolled-back device that still refuses the NOC
is flagged. The device-driving parts run against the lab in tests/safety/test_promises.py."""

from __future__ import annotations

import pytest

from nornir_config.platforms import driver
from nornir_config.push.rollback import (
    _raise_unless_restored,
    _state,
    body_lines,
    config_paths,
    recheck,
)
from nornir_config.push.state import DeviceReport, Outcome

CISCO = driver("cisco_ios")
# What IOS prints before the config (Cisco IOS Configuration Fundamentals, `show running-config`).
RUNNING = (
    "Building configuration...\n\nCurrent configuration : 120 bytes\n!\n! Last configuration "
    "change at 10:00:00 UTC Wed Dec 2 2026\n!\nhostname R1\n!\ninterface Gi0/1\n description up"
    "\n shutdown\ninterface Gi0/2\n description down\n!\nend\n"
)


def test_body_lines_drop_the_volatile_header_and_leading_bangs() -> None:
    assert body_lines(RUNNING, CISCO) == [
        "hostname R1",
        "!",
        "interface Gi0/1",
        " description up",
        " shutdown",
        "interface Gi0/2",
        " description down",
        "!",
        "end",
        "",
    ]


def test_config_paths_keep_each_line_in_its_section() -> None:
    paths = config_paths(RUNNING, CISCO)
    assert ("interface Gi0/1", " shutdown") in paths
    assert ("interface Gi0/2", " shutdown") not in paths
    assert ("hostname R1", "hostname R1") in paths
    # the same sections printed in another order are the same config
    moved = "hostname R1\ninterface Gi0/2\n description down\ninterface Gi0/1\n description up\n"
    moved += " shutdown\nend\n"
    plain = "hostname R1\ninterface Gi0/1\n description up\n shutdown\ninterface Gi0/2\n"
    plain += " description down\nend\n"
    assert config_paths(moved, CISCO) == config_paths(plain, CISCO)
    # a sub-line moved into the other section is a different config
    other = plain.replace(" shutdown\ninterface Gi0/2\n", "interface Gi0/2\n shutdown\n")
    assert config_paths(other, CISCO) != config_paths(plain, CISCO)


def _rolled_back() -> DeviceReport:
    return DeviceReport("r1", Outcome.ROLLED_BACK, "merge", "residual diff")


def test_recheck_says_whether_the_noc_gets_in_again() -> None:
    fine = recheck(_rolled_back(), lambda host: None)
    assert (fine.outcome, fine.reason) == (
        Outcome.ROLLED_BACK,
        "residual diff; rolled back, and it answers again",
    )
    seen: list[str] = []

    def refuses(host: str) -> str:
        seen.append(host)
        return "SSH refused"

    still = recheck(_rolled_back(), refuses)
    assert seen == ["r1"]
    assert (still.outcome, still.reason) == (
        Outcome.NEEDS_ATTENTION,
        "residual diff; rolled back, but still: SSH refused",
    )
    stuck = DeviceReport("r1", Outcome.NEEDS_ATTENTION, "merge", "x")
    assert recheck(stuck, refuses).reason == "x" and seen == ["r1"]  # not asked again


def test_state_of_a_failed_rollback_says_how_the_device_differs() -> None:
    before = "hostname R1\ninterface Gi0/1\n description up\n"
    now = "hostname R1\ninterface Gi0/1\n description secret-down\n"
    unknown = _state("", before, CISCO, str.upper)
    assert unknown == "could not read the running config after the failure; its state is unknown"
    same = _state(before, before, CISCO, str.upper)
    assert same == "running config equals the pre-change config"
    shown = _state(now, before, CISCO, lambda text: text.replace("secret", "<redacted>"))
    assert shown == (
        "--- before push\n+++ running now\n@@ -1,3 +1,3 @@\n hostname R1\n interface Gi0/1\n"
        "-  description up\n+  description <redacted>-down"
    )


def test_body_lines_drop_blank_lines_after_the_leading_bang() -> None:
    """IOS may print an empty line between the header's `!` and the first config line; two
    reads that differ only there are the same config."""
    assert body_lines("!\n\nhostname R1\n!\nend\n", CISCO) == ["hostname R1", "!", "end", ""]
    assert config_paths("!\n\nhostname R1\n", CISCO) == config_paths("hostname R1\n", CISCO)


# What IOS answers `configure replace flash:x force` with (Cisco IOS Configuration Replace and
# Configuration Rollback, Managing Configuration Files Configuration Guide): "Total number of
# passes: N" then "Rollback Done"; on a failure "Rollback Failed." or "%Error opening ...".
DONE = "Total number of passes: 1\nRollback Done\n\n"


def test_a_restore_counts_only_when_the_device_says_done_and_no_error() -> None:
    copy = CISCO.device_copy
    _raise_unless_restored(copy, DONE)  # restored: nothing raised
    for answer in (
        "%Error opening flash:communelan-before.cfg (No such file or directory)\n",
        "Total number of passes: 0\n",  # neither done nor an error: not restored
        # "Done" said, but an error on the way: not restored either
        "Failed to apply command logging host 192.0.2.1\n" + DONE + "% Invalid input\n",
    ):
        with pytest.raises(OSError) as err:
            _raise_unless_restored(copy, answer)
        assert str(err.value) == f"configure replace failed: {' '.join(answer.split())}"
    with pytest.raises(OSError) as err:
        _raise_unless_restored(copy, "Rollback Failed. " + "x" * 300)
    assert str(err.value) == "configure replace failed: Rollback Failed. " + "x" * 183
    # every driver's own words (as its lab prints them): Huawei "succeeded" / "Error:", H3C
    # "Succeeded in replacing current configuration" / "does not exist"
    vrp, comware = driver("huawei_vrp").device_copy, driver("hp_comware").device_copy
    _raise_unless_restored(vrp, "Info: Rollback configuration succeeded.\n")
    _raise_unless_restored(
        comware, "Succeeded in replacing current configuration with the file flash:/x.cfg.\n"
    )
    with pytest.raises(OSError):
        _raise_unless_restored(vrp, "Error: The file does not exist. succeeded\n")
    with pytest.raises(OSError):
        _raise_unless_restored(comware, "The file does not exist.\n")
