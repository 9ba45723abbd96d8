"""Files the plan manages (the nouveau blacklist, an apt source, a pin...): whether each
exists, its owner, mode, sha256 and content, so a plan can show a diff without another
round trip. Content is read up to 64 KiB; a longer file has `content` None."""

from __future__ import annotations

import hashlib

from provision.facts.base import FactModel
from provision.facts.sections import Sections

CONTENT_LIMIT = 65536


class FileFacts(FactModel):
    """One requested file (`state`: file, missing or not-a-file)."""

    path: str
    state: str
    mode: str | None
    owner: str | None
    group: str | None
    size: int | None
    sha256: str | None
    content: str | None


def parse_file(argument: str, text: str) -> FileFacts:
    """A `file MODE OWNER GROUP SIZE PATH` (or `file missing PATH`) section."""
    words = argument.split(" ", 4)
    if words[0] in ("missing", "not-a-file"):
        path = argument.partition(" ")[2]
        return FileFacts(path=path, state=words[0], mode=None, owner=None, group=None,
                         size=None, sha256=None, content=None)  # fmt: skip
    mode, owner, group, size, path = words if len(words) == 5 else ("", "", "", "", argument)
    raw = text.encode("utf-8", "surrogateescape")
    complete = size.isdigit() and len(raw) == int(size) <= CONTENT_LIMIT
    return FileFacts(
        path=path,
        state="file",
        mode=mode or None,
        owner=owner or None,
        group=group or None,
        size=int(size) if size.isdigit() else None,
        sha256=hashlib.sha256(raw).hexdigest() if complete else None,
        content=text if complete else None,
    )


def parse_secret_file(argument: str, text: str) -> FileFacts:
    """A `secret-file MODE OWNER GROUP SIZE PATH` section: the host's sha256 of the file,
    never its content (or `secret-file not-a-file PATH`; a missing one has no section)."""
    words = argument.split(" ", 4)
    if words[0] == "not-a-file" or len(words) != 5:
        return parse_file(f"not-a-file {argument.partition(' ')[2]}", "")
    mode, owner, group, size, path = words
    digest = text.strip()
    return FileFacts(
        path=path,
        state="file",
        mode=mode,
        owner=owner,
        group=group,
        size=int(size) if size.isdigit() else None,
        sha256=digest if len(digest) == 64 else None,
        content=None,
    )


def parse_files(sections: Sections) -> tuple[FileFacts, ...]:
    """Every requested file, in the order asked, the secret ones last."""
    return tuple(
        parse_file(section.argument, section.text) for section in sections.all("file")
    ) + tuple(
        parse_secret_file(section.argument, section.text) for section in sections.all("secret-file")
    )
