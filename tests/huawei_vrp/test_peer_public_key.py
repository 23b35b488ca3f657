"""A peer public key (brownfield: communelan never renders one) is sent as VRP takes it.

VRP closes the key's views with its own lines: `public-key-code end` returns to the RSA public
key view and `peer-public-key end` to the system view (Huawei NetEngine 8000 command reference,
"rsa peer-public-key", follow-up procedure; AR500/AR510/AR530 V200R007 Commands Reference,
"public-key-code end"). hier_config's stock `huawei_vrp` driver closes every section with
`quit`: inside the key-code view a `quit` is key data, after `peer-public-key end` it leaves the
system view and every later command of the push would be typed in the user view.
"""

from __future__ import annotations

from nornir_config.platforms import driver
from nornir_config.push.diff import plan

RUNNING = "#\n sysname a\n#\nreturn\n"
TARGET = """#
 sysname a
#
rsa peer-public-key noc encoding-type der
 public-key-code begin
  30820109
  02820100
 public-key-code end
 peer-public-key end
#
aaa
 local-user noc privilege level 3
#
return
"""


def test_peer_public_key_block_has_no_quit() -> None:
    commands = [c.strip() for c in plan(RUNNING, TARGET, driver("huawei_vrp")).commands]
    start = commands.index("rsa peer-public-key noc encoding-type der")
    assert commands[start : start + 6] == [
        "rsa peer-public-key noc encoding-type der",
        "public-key-code begin",
        "30820109",
        "02820100",
        "public-key-code end",
        "peer-public-key end",
    ]
    assert commands[start + 6 :] == []  # nothing after it: no `quit` out of the system view
    # other sections still close with VRP's `quit` (the `aaa` view, sent first: push.yaml)
    after = commands.index("aaa")
    assert commands[after : after + 3] == ["aaa", "local-user noc privilege level 3", "quit"]
