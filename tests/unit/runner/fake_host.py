"""A recording test double of `Connection` and a scripted planner, for runner tests.

`FakeHost` logs every command and upload in order, fails the commands that match a
scripted pattern, and plays a reboot: the detached `reboot` command changes the boot id
and makes the host refuse connections for a few probes (or for good, when it is told
not to come back). `ScriptedPlanner` returns the given plans one per call, as the facts
of a host would after each step.
"""

from __future__ import annotations

import shlex
from collections.abc import Callable, Mapping, Sequence

from provision.connection import CommandResult, Connection, HostUnreachable, UnreachableReason
from provision.connection.upload import MISSING_EXIT
from provision.models import HostState
from provision.plan import (
    BlockEdit,
    Change,
    Command,
    FileWrite,
    Handler,
    Plan,
    Reboot,
)
from provision.runner.reboot import BOOT_ID_PATH


def ok(stdout: bytes = b"") -> CommandResult:
    return CommandResult(0, stdout, b"", 0.01)


class FakeHost:
    """A host that records what a run does to it."""

    def __init__(
        self,
        name: str = "node-1",
        *,
        failing: Mapping[str, int] | None = None,
        comes_back: bool = True,
        down_probes: int = 2,
        on_command: Callable[[str], None] | None = None,
    ) -> None:
        self._name = name
        self.failing = dict(failing or {})
        self.comes_back = comes_back
        self.down_probes = down_probes
        self.on_command = on_command
        self.boot = 1
        self.refusing = 0
        self.rebooted = False
        self.log: list[str] = []
        self.uploads: dict[str, tuple[bytes, str | None, int]] = {}
        self.drop_on: str | None = None

    @property
    def name(self) -> str:
        return self._name

    def open(self) -> None:
        pass

    @property
    def can_become(self) -> bool:
        return True

    @property
    def boot_id(self) -> str:
        return f"boot-{self.boot}"

    def _unreachable(self) -> HostUnreachable:
        return HostUnreachable(self._name, UnreachableReason.REFUSED, "connection refused")

    def run(
        self,
        command: str,
        *,
        timeout: float | None = None,
        stdin: bytes | None = None,
        env: Mapping[str, str] | None = None,
        sudo: bool = False,
    ) -> CommandResult:
        if self.rebooted and not self.comes_back:
            raise self._unreachable()
        if self.refusing:
            self.refusing -= 1
            raise self._unreachable()
        special = self._special(command)
        if special is not None:
            return special
        self.log.append(command)
        read = self._read(command)
        if read is not None:
            return read
        if self.on_command is not None:
            self.on_command(command)
        if self.drop_on is not None and self.drop_on in command:
            raise HostUnreachable(self._name, UnreachableReason.DISCONNECTED, "connection lost")
        for pattern, code in self.failing.items():
            if pattern in command:
                return CommandResult(code, b"", f"{pattern} broke".encode(), 0.01)
        return ok()

    def _special(self, command: str) -> CommandResult | None:
        """The boot id probe, the reboot and the dpkg lock wait, or None."""
        if command == f"cat {BOOT_ID_PATH}":
            return ok(self.boot_id.encode() + b"\n")
        if command.startswith("nohup sh -c 'sleep 1; reboot'"):
            self.log.append("REBOOT")
            self.boot += 1
            self.rebooted = True
            self.refusing = self.down_probes
            return ok()
        if command.startswith("end=$(("):
            self.log.append("DPKG-WAIT")
            return CommandResult(self.failing.get("DPKG-WAIT", 0), b"4242: apt-get install x\n",
                                 b"", 0.01)  # fmt: skip
        return None

    def _read(self, command: str) -> CommandResult | None:
        """The block edit's read (`read_script`): mode line and content of an uploaded
        file, else 44; None for any other command."""
        words = shlex.split(command) if command.startswith("sh -c ") else []
        if len(words) != 6 or "stat -c %a" not in words[2]:
            return None
        if words[4] in self.uploads:
            data, _, mode = self.uploads[words[4]]
            return ok(f"{mode:o}\n".encode() + data)
        return CommandResult(MISSING_EXIT, b"", b"", 0.01)

    def upload(
        self, data: bytes, path: str, *, owner: str | None = None, mode: int = 0o644
    ) -> None:
        self.log.append(f"UPLOAD {path}")
        self.uploads[path] = (data, owner, mode)

    def close(self) -> None:
        """Nothing to release."""

    def commands(self) -> list[str]:
        """The log without the boot id probes."""
        return list(self.log)


class ScriptedPlanner:
    """Returns `plans` in order, one per call (the last one again when they run out)."""

    def __init__(self, plans: Sequence[Plan]) -> None:
        self.plans = list(plans)
        self.calls: list[str] = []

    def __call__(self, connection: Connection, desired: HostState) -> Plan:
        host = getattr(connection, "host", connection)
        assert isinstance(host, FakeHost)
        self.calls.append(host.boot_id)
        return self.plans.pop(0) if len(self.plans) > 1 else self.plans[0]


def command_change(name: str, *, notifies: tuple[str, ...] = (), task: str = "task") -> Change:
    """A change whose one action is `echo NAME`."""
    return Change(
        task=task,
        resource=name,
        before="old",
        after="new",
        reason=f"{name} differs",
        notifies=notifies,
        actions=(Command(command=f"echo {name}"),),
    )


def file_change(path: str) -> Change:
    return Change(
        task="file",
        resource=path,
        before=None,
        after="present",
        reason=f"{path} missing",
        actions=(FileWrite(path=path, content=b"x\n", owner="ops", group="ops", mode=0o600),),
    )


def block_change(path: str) -> Change:
    return Change(
        task="shell-profile",
        resource=path,
        before=None,
        after="CUDA",
        reason="no block",
        actions=(BlockEdit(path=path, block=b"export CUDA_HOME=/usr/local/cuda-12.1\n"),),
    )


def reboot() -> Change:
    return Change(
        task="reboot",
        resource="host",
        before="reboot pending",
        after="rebooted",
        reason="driver installed",
        needs_reboot=True,
        actions=(Reboot(reason="driver installed"),),
    )


HANDLER = Handler(name="rebuild", commands=(Command(command="echo handler-rebuild"),))


def plan(*changes: Change, refused: str | None = None) -> Plan:
    handlers = (HANDLER,) if any(change.notifies for change in changes) else ()
    return Plan(host="node-1", changes=changes, handlers=handlers, refused=refused)
