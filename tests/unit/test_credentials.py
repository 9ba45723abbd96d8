"""Logins in URLs: taken apart for root's 0600 files, and never shown."""

from __future__ import annotations

from provision.credentials import (
    Login,
    netrc_text,
    public_url,
    redact,
    redact_data,
    redact_variables,
    url_login,
)


def test_a_login_is_split_from_its_url_percent_decoded() -> None:
    url = "https://ci%40lab:p%3Ass@mirror.example:8443/cuda/x.run?a=1&b=%2B"
    assert public_url(url) == "https://mirror.example:8443/cuda/x.run?a=1&b=%2B"
    assert url_login(url) == Login("mirror.example", 8443, "ci@lab", "p:ss")
    assert url_login("https://mirror.example/x") is None
    assert public_url("https://mirror.example/x") == "https://mirror.example/x"


def test_every_url_in_a_text_or_document_loses_its_login() -> None:
    text = "curl https://u:pw@a.example/x failed; deb [trusted=yes] http://v@b.example/apt ./"
    assert redact(text) == (
        "curl https://***@a.example/x failed; deb [trusted=yes] http://***@b.example/apt ./"
    )
    document = {"sources": {"pip_index_url": "https://u:pw@pip/simple", "n": 3}, "l": ["x@y"]}
    assert redact_data(document) == {
        "sources": {"pip_index_url": "https://***@pip/simple", "n": 3},
        "l": ["x@y"],
    }


def test_netrc_lines_keep_the_first_login_of_each_machine() -> None:
    logins = [Login("a", None, "u", "1"), Login("a", None, "v", "2"), Login("b", 8443, "w", "3")]
    assert netrc_text(logins) == (
        b"machine a login u password 1\nmachine b:8443 login w password 3\n"
    )


def test_password_variables_are_shown_as_stars() -> None:
    listing = {"_meta": {"hostvars": {"ws1": {"ansible_become_password": "hunter2",
                                              "ansible_host": "10.0.0.1",
                                              "mirror": "https://u:tok@m.example/x"}}}}  # fmt: skip
    assert redact_variables(listing) == {"_meta": {"hostvars": {"ws1": {
        "ansible_become_password": "***", "ansible_host": "10.0.0.1",
        "mirror": "https://***@m.example/x",
    }}}}  # fmt: skip
