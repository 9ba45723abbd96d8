"""apt's two source formats as sources.list(5) documents them, and as Debian 12's installer
(one-line `sources.list`) and cloud images (deb822 `debian.sources`) write them."""

from __future__ import annotations

from provision.facts.apt_sources import parse_apt_sources, parse_deb822, parse_one_line
from provision.facts.sections import Section, Sections

INSTALLER_SOURCES_LIST = """\
#deb cdrom:[Debian GNU/Linux 12.5.0 _Bookworm_ - Official amd64 DVD Binary-1]/ bookworm main

deb http://archive.example/debian/ bookworm main
deb-src http://archive.example/debian/ bookworm main

deb http://security.example/debian-security bookworm-security main non-free-firmware
deb [ arch=amd64 signed-by=/usr/share/keyrings/debian-archive-keyring.gpg ] http://archive.example/debian/ bookworm-updates main # updates
"""  # noqa: E501

CLOUD_DEBIAN_SOURCES = """\
Types: deb deb-src
URIs: mirror+file:///etc/apt/mirrors/debian.list
Suites: bookworm bookworm-updates bookworm-backports
Components: main

Types: deb
URIs: http://security.example/debian-security
Suites: bookworm-security
Components: main
Enabled: no
Signed-By:
 -----BEGIN PGP PUBLIC KEY BLOCK-----
 .
 mDMEY865UxYJKwYBBAHaRw8BAQdAd7Z0srwuhlB6JKFkcf4HU4SSS/xcRfwEQWzr
 -----END PGP PUBLIC KEY BLOCK-----
"""


def test_one_line_entries_skip_comments_and_keep_their_options() -> None:
    entries = parse_one_line("/etc/apt/sources.list", INSTALLER_SOURCES_LIST)
    assert [(e.types, e.suites, e.components) for e in entries] == [
        (("deb",), ("bookworm",), ("main",)),
        (("deb-src",), ("bookworm",), ("main",)),
        (("deb",), ("bookworm-security",), ("main", "non-free-firmware")),
        (("deb",), ("bookworm-updates",), ("main",)),
    ]
    updates = entries[-1]
    assert updates.uris == ("http://archive.example/debian/",)
    assert updates.option("architectures") == "amd64"
    assert updates.option("signed-by") == "/usr/share/keyrings/debian-archive-keyring.gpg"
    assert entries[0].options == ()


def test_a_one_line_entry_without_its_closing_bracket_or_suite_is_no_entry() -> None:
    text = "deb [trusted=yes http://x/debian bookworm main\ndeb http://x/debian\nfoo bar baz\n"
    assert parse_one_line("/etc/apt/sources.list", text) == []


def test_deb822_stanzas_keep_every_uri_and_suite_the_enabled_flag_and_an_inline_key() -> None:
    first, second = parse_deb822("/etc/apt/sources.list.d/debian.sources", CLOUD_DEBIAN_SOURCES)
    assert first.types == ("deb", "deb-src")
    assert first.suites == ("bookworm", "bookworm-updates", "bookworm-backports")
    assert first.enabled and first.option("signed-by") is None
    assert not second.enabled
    key = second.option("signed-by")
    assert key is not None and key.splitlines()[1] == " -----BEGIN PGP PUBLIC KEY BLOCK-----"


def test_the_sections_are_read_in_the_fact_scripts_order_each_in_its_files_format() -> None:
    sections = Sections(
        (
            Section("apt-source", "/etc/apt/sources.list", INSTALLER_SOURCES_LIST),
            Section("apt-source", "/etc/apt/sources.list.d/debian.sources", CLOUD_DEBIAN_SOURCES),
        )
    )
    entries = parse_apt_sources(sections)
    assert [entry.file for entry in entries] == ["/etc/apt/sources.list"] * 4 + [
        "/etc/apt/sources.list.d/debian.sources"
    ] * 2


def test_one_line_options_are_read_as_apt_reads_them() -> None:
    text = (
        'deb\t[arch-=i386 signed-by="/etc/apt/keyrings/a%20b.gpg" check-valid-until=no] '
        "http://snapshot.example/debian/20240601T000000Z bookworm main\n"
    )
    (entry,) = parse_one_line("/etc/apt/sources.list", text)
    assert entry.options == (
        ("architectures-remove", "i386"),
        ("signed-by", "/etc/apt/keyrings/a b.gpg"),
        ("check-valid-until", "no"),
    )
    # An added entry repeats what must agree, never the entry's own architectures.
    assert entry.shared_options() == entry.options[1:]


def test_every_spelling_apt_reads_as_false_disables_a_stanza() -> None:
    for word in ("no", "false", "off", "without", "disable", "0"):
        stanza = f"Types: deb\nURIs: http://x\nSuites: s\nEnabled: {word}\n"
        (entry,) = parse_deb822("/etc/apt/sources.list.d/x.sources", stanza)
        assert not entry.enabled, word


def test_files_apt_skips_for_their_names_are_not_read() -> None:
    line = "deb http://x/debian bookworm main\n"
    sections = Sections(
        tuple(
            Section("apt-source", path, line)
            for path in ("/etc/apt/sources.list.d/old list.list",
                         "/etc/apt/sources.list.d/kept.list~x.list",
                         "/etc/apt/sources.list.d/debian.list")
        )
    )  # fmt: skip
    assert [entry.file for entry in parse_apt_sources(sections)] == [
        "/etc/apt/sources.list.d/debian.list"
    ]
