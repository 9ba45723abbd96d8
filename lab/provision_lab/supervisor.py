"""The per-host supervisor: boots a host, reboots it on request, stops it on SIGTERM.

Run as `python -m provision_lab.supervisor LAB_DIR HOST` by `lab up` (which records its
PID). Each boot plans the kernel state from the host's own files, writes the boot's
files, and starts `unshare` whose child (PID 1 of the host) becomes the host's sshd.
A reboot request is a line written to the host's reboot FIFO (by the in-host `reboot`
stand-in or `provision lab reboot`); killing PID 1 ends every process of the host.
"""

from __future__ import annotations

import os
import select
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from provision_lab.boot_files import prune_boot_folders, write_boot_folder
from provision_lab.control_node import require_tool
from provision_lab.host_init import HostBoot, render_init_script
from provision_lab.host_status import HostConfig, HostStatus, read_config, read_status, write_model
from provision_lab.kernel_simulation import plan_boot
from provision_lab.paths import HostPaths, LabPaths
from provision_lab.processes import ProcessRecord, child_pids, record_process

READY_TIMEOUT = 30.0
POLL_INTERVAL = 0.02


def ssh_banner_ready(port: int) -> bool:
    """True when 127.0.0.1:`port` accepts a connection and greets with an SSH banner."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0) as connection:
            return connection.recv(64).startswith(b"SSH-")
    except OSError:
        return False


class Supervisor:
    """Boots and reboots one host; one instance per supervisor process."""

    def __init__(self, paths: HostPaths, config: HostConfig) -> None:
        self.paths = paths
        self.config = config
        self.process: subprocess.Popen[bytes] | None = None
        self.status = read_status(paths.status_file) or HostStatus(state="booting")
        self.wakeup_read, wakeup_write = os.pipe2(os.O_NONBLOCK | os.O_CLOEXEC)
        signal.set_wakeup_fd(wakeup_write)
        self.stopping = False
        signal.signal(signal.SIGTERM, self._on_signal)
        signal.signal(signal.SIGINT, self._on_signal)
        self.fifo = os.open(paths.reboot_fifo, os.O_RDWR | os.O_NONBLOCK | os.O_CLOEXEC)

    def _on_signal(self, number: int, frame: FrameType | None) -> None:
        self.stopping = True

    def _report(self, **changes: object) -> None:
        self.status = self.status.model_copy(update=changes)
        write_model(self.paths.status_file, self.status)

    def _log_tail(self) -> str:
        try:
            lines = self.paths.sshd_log.read_text(errors="replace").splitlines()
        except OSError:
            return ""
        return " | ".join(lines[-3:])

    def boot(self) -> None:
        """Start the next boot and return once sshd greets (or report why it failed)."""
        try:
            self._boot()
        except (OSError, ValueError, subprocess.SubprocessError) as error:
            self._report(state="failed", message=f"boot failed: {error}")

    def _boot(self) -> None:
        self.config = read_config(self.paths.config_file)  # `lab up --gpu` may have changed it
        number = self.status.boot_number + 1
        state = plan_boot(
            self.paths.merged, self.config.kernel, self.config.name, self.config.gpu_name
        )
        folder = self.paths.boots / str(number)
        write_boot_folder(folder, state)
        boot = HostBoot(
            self.config.name, self.config.port, self.paths.merged, folder, self.paths.control,
            state.nvidia_version is not None,
        )  # fmt: skip
        self.paths.init_script.write_text(render_init_script(boot))
        self._report(
            state="booting", boot_number=number, boot_id=state.boot_id, unshare=None, sshd=None,
            nouveau_loaded=state.nouveau_loaded, nvidia_version=state.nvidia_version,
            message="; ".join(state.notes),
        )  # fmt: skip
        with self.paths.sshd_log.open("ab") as log:
            log.write(f"--- provision-lab: boot {number} of {self.config.name}\n".encode())
            log.flush()
            self.process = subprocess.Popen(
                [require_tool("unshare"), "--mount", "--uts", "--ipc", "--pid", "--fork",
                 "--kill-child", "--propagation", "private",
                 "/bin/sh", str(self.paths.init_script)],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
            )  # fmt: skip
        self._await_ready()
        prune_boot_folders(self.paths.boots)

    def _await_ready(self) -> None:
        assert self.process is not None
        unshare = record_process(self.process.pid)
        deadline = time.monotonic() + READY_TIMEOUT
        sshd: ProcessRecord | None = None
        while time.monotonic() < deadline and not self.stopping:
            if self.process.poll() is not None:
                self._report(state="failed", message=f"sshd exited at boot: {self._log_tail()}")
                return
            children = child_pids(self.process.pid)
            if sshd is None and children:
                sshd = record_process(children[0])
                self._report(unshare=unshare, sshd=sshd)
            if sshd is not None and ssh_banner_ready(self.config.port):
                self._report(state="up")
                return
            time.sleep(POLL_INTERVAL)
        if not self.stopping:
            self._report(state="failed", message=f"sshd not ready in {READY_TIMEOUT:.0f} s")

    def power_off(self) -> None:
        """End every process of the host: SIGKILL to its PID 1 empties its PID namespace.

        unshare then reaps PID 1 and exits by itself, so nothing is left unreaped.
        """
        if self.process is None:
            return
        for pid in child_pids(self.process.pid):
            os.kill(pid, signal.SIGKILL)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None
        self._report(unshare=None, sshd=None)

    def wait_for_event(self) -> str:
        """Block until a reboot request ('reboot'), a stop signal ('stop') or sshd's end."""
        pidfd = os.pidfd_open(self.process.pid) if self.process is not None else None
        watched = [self.fifo, self.wakeup_read] + ([pidfd] if pidfd is not None else [])
        try:
            while not self.stopping:
                readable, _, _ = select.select(watched, [], [])
                if self.wakeup_read in readable:
                    os.read(self.wakeup_read, 512)
                if self.fifo in readable and b"reboot" in os.read(self.fifo, 4096):
                    return "reboot"
                if pidfd is not None and pidfd in readable:
                    return "exited"
            return "stop"
        finally:
            if pidfd is not None:
                os.close(pidfd)

    def run(self) -> int:
        """Boot, then serve reboot requests until told to stop."""
        self.boot()
        while True:
            event = self.wait_for_event()
            if event == "stop":
                self.power_off()
                self._report(state="stopped", unshare=None, sshd=None, message="")
                return 0
            if event == "exited":
                self.process = None
                self._report(state="failed", message=f"sshd exited: {self._log_tail()}")
                continue
            self._report(state="rebooting")
            self.power_off()
            delay = read_config(self.paths.config_file).reboot_delay
            time.sleep(delay)  # the simulated downtime, not a readiness wait
            if not self.stopping:
                self.boot()


def main(arguments: list[str]) -> int:
    """Entry point: `python -m provision_lab.supervisor LAB_DIR HOST`."""
    lab_dir, name = Path(arguments[0]), arguments[1]
    paths = LabPaths.at(lab_dir).host(name)
    return Supervisor(paths, read_config(paths.config_file)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
