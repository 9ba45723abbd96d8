"""The plan: what `reconcile` decided a host needs, as plain data the runner executes.

A plan holds no behaviour. Each `Change` says what differs (task, resource, before,
after, reason) and carries the exact actions that fix it: shell commands built through
`provision.shell`, whole-file writes, managed-block edits and reboots. The runner runs
the actions in order, notes the handlers each change notifies, runs every notified
handler once (before a reboot and at the end, also after a failure) and re-gathers facts.
Everything dumps to JSON (`bytes` as URL-safe base64) for `--report` and `plan --json`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

DEFAULT_TIMEOUT_S = 600.0
APT_TIMEOUT_S = 1800.0


class PlanModel(BaseModel):
    """A part of a plan: immutable, strict about keys, bytes as base64 in JSON."""

    model_config = ConfigDict(
        extra="forbid", frozen=True, ser_json_bytes="base64", val_json_bytes="base64"
    )


class Command(PlanModel):
    """One shell command line, already quoted; run with `sh -c` (as root when `root`).

    `expect_exit` lists the exit statuses that mean success; anything else fails the change.
    `functions` names the shell function libraries the line calls (`path-guards`,
    `key-fingerprints`): the runner defines them in front of it, so a plan shows the call
    (`provision_trusted_tree /opt/conda && ...`), not the library.
    """

    kind: Literal["command"] = "command"
    command: str
    root: bool = True
    timeout_s: float = DEFAULT_TIMEOUT_S
    expect_exit: tuple[int, ...] = (0,)
    functions: tuple[Literal["path-guards", "key-fingerprints"], ...] = ()


class PathAction(PlanModel):
    """What the file actions share: the file, the owner, group and mode a new file gets
    (group None: the owner's login group), and a diff for `plan --diff`."""

    path: str
    owner: str = "root"
    group: str | None = None
    mode: int = 0o644
    diff: str = ""


class FileWrite(PathAction):
    """Write `content` to `path` atomically (temp file in the same folder, then rename).

    `owner`/`group`/`mode` apply to the new file; `diff` is the unified diff from the
    current content.
    """

    kind: Literal["file"] = "file"
    content: bytes
    secret: bool = False
    """The content is a secret (a login file): dumps of the plan leave it out."""

    @field_serializer("content")
    def _withheld(self, content: bytes) -> bytes:
        return b"" if self.secret else content


class BlockEdit(PathAction):
    """Put the managed block `block` into `path` with `profile_block.apply_block`.

    The runner reads the file's current bytes (None when missing), writes
    `apply_block(current, block)` atomically and keeps an existing file's owner and mode;
    a new file gets `owner`, `group` and `mode`. `diff` shows the block's lines only,
    since facts hold the block, not the whole file.
    """

    kind: Literal["block"] = "block"
    block: bytes


class Reboot(PlanModel):
    """Reboot the host here (policy `auto`), after running the handlers notified so far,
    then re-gather facts and plan again; with policy `never` the host is reboot-pending."""

    kind: Literal["reboot"] = "reboot"
    reason: str


Action = Annotated[Command | FileWrite | BlockEdit | Reboot, Field(discriminator="kind")]


class Change(PlanModel):
    """One resource that differs from the desired state, and the actions that fix it."""

    task: str
    resource: str
    before: str | None
    after: str | None
    reason: str
    needs_reboot: bool = False
    notifies: tuple[str, ...] = ()
    actions: tuple[Action, ...] = ()
    once_per_run: bool = False
    """Its effect lasts the whole run (refreshing apt's lists): when the plan made after
    a reboot asks for it again and the run already carried out its actions, the runner
    does not repeat it."""


class Handler(PlanModel):
    """Commands run once after the changes that notify `name`."""

    name: str
    commands: tuple[Command, ...]


class Unmanaged(PlanModel):
    """Something found on the host that the desired state does not declare, or a folder
    the desired state names that holds something provision did not install (`libtorch`,
    `conda-prefix`: left alone, and the change that would replace it is not planned)."""

    kind: Literal["cuda-toolkit", "cudnn", "conda-env", "libtorch", "conda-prefix"]
    resource: str
    detail: str
    pruned: bool = False


class Plan(PlanModel):
    """Everything one host needs, in order; `refused` set means: touch nothing."""

    host: str
    changes: tuple[Change, ...] = ()
    handlers: tuple[Handler, ...] = ()
    unmanaged: tuple[Unmanaged, ...] = ()
    warnings: tuple[str, ...] = ()
    refused: str | None = None

    @property
    def changed(self) -> bool:
        """Whether applying this plan would change anything."""
        return bool(self.changes)

    @property
    def reboot_required(self) -> bool:
        """Whether a change of this plan is a reboot."""
        return any(
            isinstance(action, Reboot) for change in self.changes for action in change.actions
        )

    def handler(self, name: str) -> Handler:
        """The handler `name` (KeyError when the plan has none of that name)."""
        for handler in self.handlers:
            if handler.name == name:
                return handler
        raise KeyError(name)
