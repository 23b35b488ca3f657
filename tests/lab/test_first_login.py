"""A device's SSH server is made on its first connection (`lab/ondemand.py`): the first logins,
even several at once, meet the same server a listener of its own would have given, with the
host key `known_hosts` pinned at boot."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from netmiko import ConnectHandler

from nornir_config.lab.files import lab_access
from nornir_config.lab.testing import RunningLab


def _prompt(params: dict[str, object]) -> str:
    with ConnectHandler(**params) as conn:
        return str(conn.find_prompt())


def test_simultaneous_first_logins_share_one_server_with_the_pinned_key(lab: RunningLab) -> None:
    access = lab_access(lab.lab_dir)  # strict host key check against the boot's known_hosts
    params = access.netmiko_params("LAB-S1", conn_timeout=10, fast_cli=True)
    with ThreadPoolExecutor(4) as pool:
        prompts = list(pool.map(_prompt, [params] * 4))
    assert prompts == ["LAB-S1#"] * 4
    # Made once: every later connection gets the same server.
    ssh = lab.lab._listeners["LAB-S1"].ssh
    made = lab.call(lambda: ssh._ready.result() if ssh and ssh._ready else None)
    assert made is not None
    assert _prompt(params) == "LAB-S1#"
    assert lab.call(lambda: ssh._ready.result() if ssh and ssh._ready else None) is made
    # The other device was never logged in to: it has no SSH server yet, and still listens.
    assert lab.lab._listeners["LAB-R1"].ssh is not None
    assert lab.lab._listeners["LAB-R1"].ssh._ready is None
    assert _prompt(access.netmiko_params("LAB-R1", conn_timeout=10)) == "LAB-R1#"
