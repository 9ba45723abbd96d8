"""Bringing the lab up and down: the base image, the mirror server, the hosts.

Every process the lab starts is recorded in the state file before anything waits on
it, so `down` can stop exactly those processes and unmount everything even after a
crash or a failed `up`.
"""

from __future__ import annotations

import fcntl
import socket
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from provision.errors import InputError, ProvisionError
from provision_lab.base_image import ensure_base_image, kernel_version
from provision_lab.control_node import check_control_node, check_platform
from provision_lab.host import delete_host, prepare_host, start_host, stop_host, wait_until_ready
from provision_lab.host_status import HostConfig, read_config, read_status, write_model
from provision_lab.kernel_simulation import DEFAULT_GPU
from provision_lab.keys import HOST_KEY, ensure_client_key, ensure_dev_password, write_known_hosts
from provision_lab.mirror_cache import MirrorContents, build_mirror_contents
from provision_lab.mirror_server import start_mirror_server
from provision_lab.mounts import overlay_lower_dirs, unmount_all_under
from provision_lab.paths import HOST_NAME, HOST_NAME_PREFIX, LabPaths, host_name
from provision_lab.processes import ProcessRecord, is_running, stop_process
from provision_lab.snapshots import restore_snapshot
from provision_lab.state import HostRecord, LabState, MirrorRecord, load_state, save_state

MAX_HOSTS = 99
PortAllocator = Callable[[], int]


def free_loopback_port() -> int:
    """A TCP port free on 127.0.0.1 right now (the kernel picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def lab_lock(paths: LabPaths) -> Iterator[None]:
    """Hold the lab's lock so two commands never change the lab at once."""
    paths.root.mkdir(parents=True, exist_ok=True)
    with paths.lock_file.open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def host_public_key(paths: LabPaths, name: str) -> str:
    """The public host key of `name` (as `type base64`), read from its own /etc/ssh."""
    kind, body = Path(f"{paths.host(name).merged / HOST_KEY}.pub").read_text().split()[:2]
    return f"{kind} {body}"


def _host_running(record: HostRecord) -> bool:
    return record.supervisor is not None and is_running(record.supervisor)


def _refresh_known_hosts(paths: LabPaths, state: LabState) -> None:
    keys = {}
    for record in state.hosts.values():
        if _host_running(record):
            keys[record.port] = host_public_key(paths, record.name)
    write_known_hosts(paths, keys)


def _mirror_running(state: LabState) -> bool:
    return state.mirror is not None and is_running(state.mirror.process)


def _build_caches(paths: LabPaths, state: LabState) -> MirrorContents | None:
    """Build the base image and the mirror's contents side by side (both cached)."""
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="lab-build") as pool:
        base = pool.submit(_ensure_base, paths, state)
        mirror = None if _mirror_running(state) else pool.submit(build_mirror_contents, paths)
        base.result()
        return mirror.result() if mirror is not None else None


def _start_mirror(paths: LabPaths, state: LabState, contents: MirrorContents | None) -> None:
    if contents is None:
        return
    port, process = start_mirror_server(paths.mirror_content, paths.mirror_log)
    url = f"http://127.0.0.1:{port}"
    state.mirror = MirrorRecord(
        port=port, process=process, apt_source=contents.apt_source_line(url)
    )
    save_state(paths.state_file, state)


def _start_host(
    paths: LabPaths, state: LabState, name: str, allocate_port: PortAllocator
) -> tuple[HostConfig, ProcessRecord, str]:
    """Start host `name` (keeping its port and files if it existed); return what to await."""
    record = state.hosts.get(name)
    if record is not None:
        stop_host(paths.host(name), record.supervisor)
    taken = {other.port for other in state.hosts.values() if other.name != name}
    port = record.port if record is not None else allocate_port()
    if port in taken:
        raise ProvisionError(f"lab: port {port} for {name} is already another lab host's")
    record = HostRecord(name=name, port=port)
    state.hosts[name] = record
    save_state(paths.state_file, state)
    config = HostConfig(
        name=name, port=port, kernel=kernel_version(), gpu_name=state.gpu_name or DEFAULT_GPU,
        reboot_delay=state.reboot_delay,
    )  # fmt: skip
    host_paths = paths.host(name)
    host_key = prepare_host(
        host_paths, paths.base_rootfs.resolve(), config, ensure_client_key(paths),
        ensure_dev_password(paths),
    )  # fmt: skip
    record.supervisor = start_host(paths.root, host_paths, name)
    save_state(paths.state_file, state)
    return config, record.supervisor, host_key


def _ensure_base(paths: LabPaths, state: LabState) -> None:
    """Build the base image if needed; never under running hosts (it is their lower layer),
    this lab's or another's that shares the image through a symlink."""
    in_use = paths.base_rootfs.resolve() in overlay_lower_dirs()
    if in_use or any(_host_running(record) for record in state.hosts.values()):
        if not paths.base_rootfs.is_dir():
            raise ProvisionError(f"lab: hosts are running but {paths.base_rootfs} is missing")
        return
    ensure_base_image(paths)


def _host_healthy(paths: LabPaths, record: HostRecord | None) -> bool:
    """Running, and not failed: a failed host (its sshd died) is started afresh by `up`."""
    if record is None or not _host_running(record):
        return False
    status = read_status(paths.host(record.name).status_file)
    return status is None or status.state != "failed"


def _await_kept(paths: LabPaths, state: LabState, names: list[str]) -> None:
    """Give kept hosts the lab's GPU and reboot delay (used from their next boot), and wait
    for those still booting or rebooting to accept SSH."""
    for name in names:
        record = state.hosts[name]
        assert record.supervisor is not None
        host_paths = paths.host(name)
        status = read_status(host_paths.status_file)
        config = read_config(host_paths.config_file)
        changed = {"gpu_name": state.gpu_name or DEFAULT_GPU, "reboot_delay": state.reboot_delay}
        write_model(host_paths.config_file, config.model_copy(update=changed))
        if status is None or status.state != "up":
            wait_until_ready(host_paths, config, record.supervisor, host_public_key(paths, name))


def _start_and_await(
    paths: LabPaths, state: LabState, names: list[str], allocate_port: PortAllocator
) -> None:
    started = [_start_host(paths, state, name, allocate_port) for name in names]
    for config, supervisor, host_key in started:
        wait_until_ready(paths.host(config.name), config, supervisor, host_key)


def up(
    paths: LabPaths, hosts: int, gpu_name: str | None = None, reboot_delay: float | None = None,
    allocate_port: PortAllocator = free_loopback_port,
) -> LabState:  # fmt: skip
    """Bring the lab to at least `hosts` running hosts; running hosts are kept as they are."""
    if not 1 <= hosts <= MAX_HOSTS:
        raise InputError(f"--hosts must be between 1 and {MAX_HOSTS}, not {hosts}")
    if gpu_name is not None and not (0 < len(gpu_name) <= 96 and gpu_name.isprintable()):
        raise InputError(
            f"--gpu must be a printable GPU model name of 1-96 characters: {gpu_name!r}"
        )
    if reboot_delay is not None and not 0 <= reboot_delay <= 600:
        raise InputError(f"--reboot-delay must be between 0 and 600 seconds, not {reboot_delay}")
    check_control_node()
    with lab_lock(paths):
        state = load_state(paths.state_file)
        state.gpu_name = gpu_name or state.gpu_name or DEFAULT_GPU
        state.reboot_delay = state.reboot_delay if reboot_delay is None else reboot_delay
        save_state(paths.state_file, state)
        _start_mirror(paths, state, _build_caches(paths, state))
        wanted = [host_name(number) for number in range(1, hosts + 1)]
        missing = [name for name in wanted if not _host_healthy(paths, state.hosts.get(name))]
        try:
            _start_and_await(paths, state, missing, allocate_port)
            _await_kept(paths, state, [name for name in wanted if name not in missing])
        finally:
            _refresh_known_hosts(paths, state)
        return state


def add_host(
    paths: LabPaths, allocate_port: PortAllocator = free_loopback_port, snapshot: str | None = None
) -> str:
    """Start one more host on the running lab: a new overlay of the base image, holding a
    snapshot's changes when `snapshot` names one."""
    check_control_node()
    with lab_lock(paths):
        state = load_state(paths.state_file)
        if not paths.base_rootfs.is_dir():
            raise ProvisionError(
                f"lab: no base image in {paths.base}: run `provision lab up` first"
            )
        numbers = [int(name.removeprefix(HOST_NAME_PREFIX)) for name in state.hosts]
        name = host_name(max(numbers, default=0) + 1)
        if snapshot is not None:
            restore_snapshot(paths, snapshot, paths.host(name).upper)
        try:
            _start_and_await(paths, state, [name], allocate_port)
        finally:
            _refresh_known_hosts(paths, state)
        return name


def remove_host(paths: LabPaths, name: str) -> None:
    """Stop host `name` and delete its files."""
    check_platform()
    with lab_lock(paths):
        state = load_state(paths.state_file)
        record = state.hosts.pop(name, None)
        stop_host(paths.host(name), record.supervisor if record else None)
        delete_host(paths.host(name))
        save_state(paths.state_file, state)
        _refresh_known_hosts(paths, state)


def down(paths: LabPaths) -> None:
    """Stop every recorded process, unmount everything under the lab dir, delete the hosts."""
    check_platform()
    if not paths.root.is_dir():
        return
    with lab_lock(paths):
        state = load_state(paths.state_file)
        names = set(state.hosts)
        if paths.hosts.is_dir():
            names |= {
                folder.name
                for folder in paths.hosts.iterdir()
                if folder.is_dir() and HOST_NAME.match(folder.name)
            }
        problems = []
        for name in sorted(names, reverse=True):
            record = state.hosts.get(name)
            try:
                stop_host(paths.host(name), record.supervisor if record else None)
                delete_host(paths.host(name))
                state.hosts.pop(name, None)
            except (ProvisionError, TimeoutError) as error:
                problems.append(f"{name}: {error}")
            save_state(paths.state_file, state)
        if state.mirror is not None:
            stop_process(state.mirror.process)
            state.mirror = None
        # Only the hosts folder ever holds mounts; another lab nested in this dir is left alone.
        problems.extend(f"still mounted: {point}" for point in unmount_all_under(paths.hosts))
        save_state(paths.state_file, state)
        if paths.ssh.is_dir():
            write_known_hosts(paths, {})
        if problems:
            raise ProvisionError(f"lab: down left something behind: {'; '.join(problems)}")
