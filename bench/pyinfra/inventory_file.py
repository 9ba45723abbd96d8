"""The pyinfra inventory (a Python file) for a lab, rendered from the harness's `Lab`.

Every value is written with `repr`, so the file holds literals only, whatever a path or
mirror URL contains. Hosts use pyinfra's SSH connector with the lab's key and known_hosts,
host key checking on.
"""

from __future__ import annotations

from typing import Any

from bench.tool import Lab, LabHost

GROUP = "gpu"


def host_data(host: LabHost) -> dict[str, Any]:
    """pyinfra's SSH connector settings for one lab host."""
    return {
        "ssh_hostname": host.address,
        "ssh_port": host.port,
        "ssh_user": host.user,
        "ssh_key": str(host.private_key),
        "ssh_known_hosts_file": str(host.known_hosts),
        "ssh_strict_host_key_checking": "yes",
    }


def render_inventory(lab: Lab) -> str:
    """The text of an inventory.py: one group `gpu` of every lab host, with the mirror's
    URL and apt source line as group data for the deploy."""
    hosts = [(host.name, host_data(host)) for host in lab.hosts]
    group_data = {
        "lab_mirror_url": lab.mirror_url,
        "lab_mirror_apt_source": lab.mirror_apt_source,
    }
    return (
        '"""pyinfra inventory of a sandbox lab, written by bench.pyinfra (do not edit)."""\n\n'
        f"{GROUP} = ({hosts!r}, {group_data!r})\n"
    )
