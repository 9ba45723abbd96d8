"""`provision lab`: the sandbox lab of real SSH hosts on this machine (root, Linux)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import click

from provision_lab.inventory_writer import DEFAULT_INVENTORY, write_inventory
from provision_lab.lab import MAX_HOSTS, down, up
from provision_lab.lab_control import lab_status, request_reboot
from provision_lab.paths import LabPaths

DIR_OPTION = click.option(
    "--dir", "lab_dir", type=click.Path(file_okay=False, path_type=Path), default=Path(".lab"),
    show_default=True, help="Lab directory (base image, overlays, keys, logs, mirror).",
)  # fmt: skip


@click.group("lab")
def lab_group() -> None:
    """Run the sandbox lab: real sshd hosts in chroots on this machine, loopback only."""


@lab_group.command("up")
@click.option("--hosts", type=click.IntRange(1, MAX_HOSTS), default=3, show_default=True)
@DIR_OPTION
@click.option("--gpu", "gpu_name", help="Stand-in GPU model the hosts report (kept per lab).")
@click.option(
    "--reboot-delay", type=click.FloatRange(0, 600), default=None,
    help="Seconds a rebooting host stays unreachable (default 2, kept per lab).",
)  # fmt: skip
@click.option(
    "--inventory", type=click.Path(dir_okay=False, path_type=Path), default=DEFAULT_INVENTORY,
    show_default=True, help="Where to write the generated inventory.",
)  # fmt: skip
def up_command(
    hosts: int, lab_dir: Path, gpu_name: str | None, reboot_delay: float | None, inventory: Path
) -> None:
    """Start the lab's hosts (building the base image and mirror once) and write the inventory."""
    started = time.monotonic()
    paths = LabPaths.at(lab_dir)
    state = up(paths, hosts, gpu_name=gpu_name, reboot_delay=reboot_delay)
    written = write_inventory(inventory, paths, state)
    for record in sorted(state.hosts.values(), key=lambda record: record.name):
        click.echo(f"{record.name}  ssh -p {record.port} root@127.0.0.1")
    if state.mirror is not None:
        click.echo(f"mirror   {state.mirror.url}")
    click.echo(f"inventory {written} ({time.monotonic() - started:.1f} s)")


@lab_group.command("down")
@DIR_OPTION
def down_command(lab_dir: Path) -> None:
    """Stop every lab process, unmount everything and delete the hosts (caches are kept)."""
    down(LabPaths.at(lab_dir))


@lab_group.command("status")
@DIR_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print JSON (hosts and mirror).")
def status_command(lab_dir: Path, as_json: bool) -> None:
    """Show the lab's hosts (port, PID, state, boot id) and its mirror."""
    status = lab_status(LabPaths.at(lab_dir))
    if as_json:
        click.echo(json.dumps(status, indent=2))
        return
    for host in status["hosts"]:
        click.echo(f"{host['name']}  port {host['port']}  {host['state']}  boot {host['boot_id']}")
    mirror = status["mirror"]
    click.echo(f"mirror  {mirror['url'] if mirror else 'not running'}")


@lab_group.command("reboot")
@click.argument("host")
@DIR_OPTION
@click.option("--no-wait", is_flag=True, help="Return at once instead of when the host is back.")
def reboot_command(host: str, lab_dir: Path, no_wait: bool) -> None:
    """Reboot HOST as its own `reboot` would, and wait until it accepts SSH again."""
    boot_id = request_reboot(LabPaths.at(lab_dir), host, wait=not no_wait)
    click.echo(f"{host} rebooting" if boot_id is None else f"{host} up, boot id {boot_id}")
