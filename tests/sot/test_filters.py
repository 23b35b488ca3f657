"""--filter: ANDed terms, comma lists, clear errors."""

from __future__ import annotations

import pytest

from nornir_config.errors import InputError
from nornir_config.filters import apply_filters
from nornir_config.inventory import build_nornir
from nornir_config.settings import RunSettings
from tests.conftest import province_root


@pytest.fixture(scope="module")
def nr():  # type: ignore[no-untyped-def]
    return build_nornir(RunSettings(root=province_root()))


def names(nr, *specs: str) -> set[str]:  # type: ignore[no-untyped-def]
    return set(apply_filters(nr, specs).inventory.hosts)


def test_filters(nr) -> None:  # type: ignore[no-untyped-def]
    assert names(nr, "code=14797") == {
        "hac-thanh-14797-rt01",
        "hac-thanh-14797-sw01",
        "hac-thanh-14797-sw02",
        "hac-thanh-14797-sw03",
    }
    assert names(nr, "code=14797,15853", "role=router") == {
        "hac-thanh-14797-rt01",
        "dong-tien-15853-rt01",
    }
    assert len(names(nr, "kind=phuong", "role=router")) == 19
    assert len(names(nr, "group=xa")) == 147 * 3
    assert names(nr, "host=dong-tien-15724-rt01") == {"dong-tien-15724-rt01"}
    assert len(nr.inventory.hosts) == 19 * 4 + 147 * 3


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("code", "--filter: code: is not key=value; fix: write e.g. province=40 or role=switch"),
        (
            "colour=red",
            "--filter: colour=red: unknown key 'colour'; fix: use one of: code, province, role, kind, model, site, group, host",
        ),
        (
            "code=99999",
            "--filter: code=99999: matches no device; fix: check the values with `communelan inventory`",
        ),
    ],
)
def test_bad_filters(nr, spec: str, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError) as info:
        apply_filters(nr, [spec])
    assert str(info.value) == message
