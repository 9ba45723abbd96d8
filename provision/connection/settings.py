"""How to reach one host: the settings a connection is opened with, read from an
inventory by `provision.inventory` and used here without knowing where they came from."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict


class HostConnection(BaseModel):
    """How to reach one host: `ssh` to `user@host:port` with `key_file`, or `local`."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    host: str
    port: int = 22
    user: str | None = None
    key_file: Path | None = None
    become: bool = False
    connection: Literal["ssh", "local"] = "ssh"
    known_hosts: Path | None = None


@dataclass(frozen=True)
class JumpHost:
    """One ProxyJump hop, `[user@]host[:port]`."""

    host: str
    port: int = 22
    user: str | None = None
