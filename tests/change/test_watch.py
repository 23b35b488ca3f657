"""watch over lab devices, with real webhook and SMTP receivers on loopback."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from nornir_config.change.notify import Retry
from nornir_config.change.state import load_state
from nornir_config.change.timeline import device_timeline
from nornir_config.change.watch import WatchOptions, parse_every, run_watch, watch_round
from nornir_config.errors import InputError
from nornir_config.push.state import Outcome
from nornir_config.sot.schema import WatchEmail, WatchSettings
from tests.change.conftest import PushEnv, out_of_band
from tests.change.servers import SmtpServer, WebhookServer
from tests.conftest import TEST_SECRETS


@pytest.fixture
def receivers() -> Iterator[tuple[WebhookServer, SmtpServer]]:
    hook, smtp = WebhookServer().start(), SmtpServer().start()
    yield hook, smtp
    smtp.stop()
    hook.stop()


def _options(env: PushEnv, hook: WebhookServer, smtp: SmtpServer) -> WatchOptions:
    settings = WatchSettings(
        webhook=hook.url,
        email=WatchEmail(to=["noc@example.org"], smtp_host="127.0.0.1", smtp_port=smtp.port),
        report_url="https://noc.example.org/compliance.html",
    )
    pauses: list[float] = []
    return WatchOptions(
        settings,
        env.root / "build" / "watch" / "state.json",
        Retry(attempts=3, pause=0.01, sleep=pauses.append),
    )


def test_three_rounds_drift_in_round_two(
    push_env: PushEnv, receivers: tuple[WebhookServer, SmtpServer]
) -> None:
    hook, smtp = receivers
    assert {r.outcome for r in push_env.push().reports.values()} == {Outcome.CHANGED}
    options = _options(push_env, hook, smtp)
    rt, sw1, sw2 = (
        next(n for n in push_env.names if n.endswith(s)) for s in ("rt01", "sw01", "sw02")
    )

    first = watch_round(push_env.project(), options)  # baseline: all compliant, all read
    assert first.report is not None and first.report.summary.compliant == 4
    assert first.notifications == [] and hook.received == [] and smtp.messages == []

    # Round two: a hand-made change on sw02, sw01 refuses SSH, and the webhook server is down.
    out_of_band(push_env.lab, sw2, ["no logging buffered 64000 informational"])
    push_env.lab.set_faults(sw1, refuse_connections=True)
    hook.stop()
    second = watch_round(push_env.project(), options)
    kinds = sorted((n.kind, n.device) for n in second.notifications)
    assert kinds == [("changed_outside", sw2), ("non_compliant", sw2), ("unreachable", sw1)]
    assert set(second.failing) == {"webhook"}
    assert len(smtp.messages) == 3 and hook.received == []
    state = load_state(options.state_file)  # the webhook's share waits in the outbox
    assert sorted(n.kind for n in state.outbox) == sorted(k for k, _ in kinds)
    assert all(n.channels == ["webhook"] for n in state.outbox)

    # Round three, in a "restarted" watch (state from the file only): the device is repaired
    # by a push (in the audit log), sw01 answers again and the webhook server is back.
    push_env.lab.clear_faults(sw1)
    assert push_env.push([f"host={sw2}"]).reports[sw2].outcome == Outcome.CHANGED
    hook.start()  # the same port
    third = watch_round(push_env.project(), options)
    assert sorted((n.kind, n.key) for n in third.notifications) == [
        ("recovered", f"non_compliant/{sw2}/logging"),
        ("recovered", f"unreachable/{sw1}"),
    ]
    assert third.failing == {}

    expected = Counter(
        {
            ("changed_outside", sw2): 1,
            ("non_compliant", sw2): 1,
            ("unreachable", sw1): 1,
            ("recovered", sw2): 1,
            ("recovered", sw1): 1,
        }
    )
    assert Counter((p["kind"], p["device"]) for p in hook.received) == expected
    assert Counter(m["X-Communelan-Event"] for m in smtp.messages) == Counter(
        p["id"] for p in hook.received
    )  # the same five events by mail, each once
    for payload in hook.received:
        assert payload["report"] == "https://noc.example.org/compliance.html"
    mails = "\n".join(m.as_string() for m in smtp.messages)
    assert "not compliant (logging)" in mails and "recovered" in mails
    everything = json.dumps(hook.received) + mails + options.state_file.read_text()
    for secret in TEST_SECRETS.values():
        assert secret not in everything

    # A fourth round with nothing new sends nothing; the state file says why.
    quiet = watch_round(push_env.project(), options)
    assert quiet.notifications == [] and len(hook.received) == 5 and len(smtp.messages) == 5
    saved = json.loads(options.state_file.read_text())
    assert saved["rounds"] == 4 and saved["open"] == {} and saved["outbox"] == []
    assert rt not in saved["down_rounds"]

    # The device's timeline: backups, the repairing push and the watch's events, in order.
    kinds = [e.kind for e in device_timeline(push_env.root / "build", [sw2])[sw2]]
    assert [k for k in kinds if k != "backup"] == [
        "push",  # the first rollout, before round one
        "non_compliant",
        "changed_outside",
        "push",  # the repair
        "recovered",
    ]
    assert kinds.count("backup") == 3  # round one, the drift (round two), the repair (three)


def test_a_flap_of_one_round_is_not_reported(
    push_env: PushEnv, receivers: tuple[WebhookServer, SmtpServer]
) -> None:
    hook, smtp = receivers
    base = _options(push_env, hook, smtp)
    options = WatchOptions(
        base.settings.model_copy(update={"unreachable_after": 2}), base.state_file, base.retry
    )
    sw1 = next(n for n in push_env.names if n.endswith("sw01"))
    assert push_env.push([f"host={sw1}"]).reports[sw1].outcome == Outcome.CHANGED
    assert watch_round(push_env.project([f"host={sw1}"]), options).notifications == []
    push_env.lab.set_faults(sw1, refuse_connections=True)
    assert watch_round(push_env.project([f"host={sw1}"]), options).notifications == []
    push_env.lab.clear_faults(sw1)
    assert watch_round(push_env.project([f"host={sw1}"]), options).notifications == []
    push_env.lab.set_faults(sw1, refuse_connections=True)
    said: list[str] = []
    failed = run_watch(
        lambda: push_env.project([f"host={sw1}"]), options, 0.0, 2, said.append, lambda _: None
    )
    assert failed == 0
    assert [p["kind"] for p in hook.received] == ["unreachable"]  # down two rounds in a row
    assert "unreachable" in said[1]


def test_a_failing_round_never_stops_the_loop(push_env: PushEnv, tmp_path: Path) -> None:
    options = WatchOptions(WatchSettings(), tmp_path / "state.json")  # no channel: bad input
    said: list[str] = []
    slept: list[float] = []
    assert run_watch(push_env.project, options, 1800.0, 3, said.append, slept.append) == 3
    assert all("no notification channel" in line for line in said) and len(said) == 3
    assert slept == [1800.0, 1800.0]
    assert "no notification channel" in json.loads(options.state_file.read_text())["last_error"]


def test_every() -> None:
    assert parse_every("30m") == 1800 and parse_every("1h30m") == 5400
    for bad in ("", "30", "0m", "m30", "30 m"):
        with pytest.raises(InputError, match="not a period"):
            parse_every(bad)
