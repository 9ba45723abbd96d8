"""The logins of source URLs, in root's own 0600 files, before anything downloads.

apt reads them from `/etc/apt/auth.conf.d/provision.conf` (`machine host[:port]`), curl
and pip from provision's netrc file (`machine host`: neither matches on a port). Plans
and reports show these writes without their content (`FileWrite.secret`), the facts
read only their sha256, and a file is removed again once the state names no login.
"""

from __future__ import annotations

import hashlib

from provision import shell
from provision.artifacts import state_artifacts
from provision.credentials import Login, netrc_text, url_login
from provision.facts.model import Facts
from provision.facts.provision_state import NETRC_PATH
from provision.models import HostState
from provision.models.versions import apt_line_url
from provision.plan import Change, Command, FileWrite

APT_AUTH_PATH = "/etc/apt/auth.conf.d/provision.conf"
LOGIN_FILES = (APT_AUTH_PATH, NETRC_PATH)


def apt_logins(desired: HostState) -> list[Login]:
    """The login of the apt repository's URL, if it has one."""
    line = desired.sources.apt_repository
    url = desired.sources.nvidia_apt_base if line is None else apt_line_url(line) or ""
    login = url_login(url)
    return [login] if login is not None else []


def download_logins(desired: HostState) -> list[Login]:
    """The logins of every URL curl or pip fetches from."""
    sources = desired.sources
    urls = [artifact.url for artifact in state_artifacts(desired)]
    urls += [sources.nvidia_apt_base, sources.pytorch_wheel_index]
    urls += [url for url in (sources.pip_index_url, *sources.pip_extra_index_urls) if url]
    return [login for login in map(url_login, urls) if login is not None]


def _netrc_text(logins: list[Login]) -> bytes:
    return netrc_text([Login(login.host, None, login.user, login.password) for login in logins])


def _change(path: str, content: bytes, facts: Facts) -> Change | None:
    found = facts.file(path)
    present = found is not None and found.state == "file"
    if not content:
        if not present:
            return None
        return Change(
            task="source-logins",
            resource=path,
            before="present",
            after="absent",
            reason="the state names no login for it any more",
            actions=(Command(command=shell.command("rm", "-f", path)),),
        )
    digest = hashlib.sha256(content).hexdigest()
    if present and found is not None and found.sha256 == digest and found.mode == "600":
        return None
    return Change(
        task="source-logins",
        resource=path,
        before="present" if present else None,
        after=f"{content.count(b'machine ')} login(s)",
        reason="the sources' logins differ" if present else "a source URL carries a login",
        actions=(
            FileWrite(path=path, content=content, mode=0o600, secret=True,
                      diff=f"{path}: secret, {len(content)} bytes, not shown\n"),
        ),
    )  # fmt: skip


def plan_source_logins(desired: HostState, facts: Facts) -> list[Change]:
    """Write (or remove) apt's and curl's login files so they hold exactly the state's."""
    wanted = {
        APT_AUTH_PATH: netrc_text(apt_logins(desired)),
        NETRC_PATH: _netrc_text(download_logins(desired)),
    }
    changes = [_change(path, content, facts) for path, content in wanted.items()]
    return [change for change in changes if change is not None]
