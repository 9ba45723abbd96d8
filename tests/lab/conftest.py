"""Lab fixtures (`lab`, `fresh_host`, `ssh`) come from provision's pytest plugin."""

from provision.lab.pytest_plugin import fresh_host, lab, ssh

__all__ = ["fresh_host", "lab", "ssh"]
