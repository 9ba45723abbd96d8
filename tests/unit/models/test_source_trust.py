"""What the network may hand a host only with the state's say-so: unsigned apt, plain-http
indexes, logins (only over https, never for conda channels)."""

from __future__ import annotations

from typing import Any

import pytest

from provision.errors import InputError
from provision.models import parse_host_state

MIRROR = "deb [trusted=yes] http://127.0.0.1:8080/apt ./"


def sources(**fields: Any) -> Any:
    return parse_host_state({"sources": fields}, "w").sources


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"apt_repository": MIRROR},
         "state.sources.apt_repository: apt_repository says [trusted=yes], so apt would "
         "install its packages unsigned"),
        ({"apt_repository": "deb https://mirror.example/apt ./"},
         "state.sources.apt_repository: apt_repository names no keyring"),
        ({"pip_index_url": "http://pip.example/simple"},
         "state.sources.pip_index_url: http://pip.example/simple is an index over plain http"),
        ({"pip_extra_index_urls": ["https://a.example/simple", "http://b.example/simple"]},
         "state.sources.pip_extra_index_urls: http://b.example/simple is an index over plain"),
        ({"conda_channels": ["http://conda.example/main"]},
         "state.sources.conda_channels: http://conda.example/main is an index over plain http"),
        ({"conda_channels": ["https://u:pw@conda.example/main"]},
         "conda channel https://***@conda.example/main carries a login"),
        ({"libtorch_base": "http://u:pw@mirror.example/libtorch"},
         "'http://***@mirror.example/libtorch' carries a login over http"),
        ({"libtorch_base": "https://u:p%20w@mirror.example/libtorch"},
         "carries a login that is empty or holds spaces"),
        ({"libtorch_base": "https://mirror.example:99999/libtorch"},
         "'https://mirror.example:99999/libtorch' has a port outside 1-65535"),
        ({"libtorch_base": "https://mirror.example:0/libtorch"}, "has a port outside 1-65535"),
    ],
)  # fmt: skip
def test_untrusted_sources_are_refused_naming_the_field(
    fields: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError) as raised:
        sources(**fields)
    assert message in raised.value.message
    assert "pw" not in raised.value.message


def test_each_trust_mark_admits_exactly_what_it_names() -> None:
    trusted = sources(apt_repository=MIRROR, apt_repository_trusted=True,
                      pip_index_url="http://127.0.0.1:8080/wheels/simple",
                      http_indexes_trusted=True)  # fmt: skip
    assert trusted.apt_repository == MIRROR
    with pytest.raises(InputError, match="index over plain http"):
        sources(apt_repository=MIRROR, apt_repository_trusted=True,
                pip_index_url="http://127.0.0.1:8080/wheels/simple")  # fmt: skip


def test_a_login_over_https_and_a_signed_mirror_line_are_accepted() -> None:
    line = "deb [signed-by=/etc/apt/keyrings/m.gpg] https://ci:tok@mirror.example/apt ./"
    accepted = sources(apt_repository=line, libtorch_base="https://ci:tok@mirror.example/lt",
                       pip_index_url="https://ci:tok@mirror.example/simple?x=1&y=%2F")  # fmt: skip
    assert accepted.apt_repository == line
