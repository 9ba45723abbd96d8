"""Facts: what a host really has, read in one round trip.

`gather_facts(connection, FactsRequest(users=..., conda_prefix=..., libtorch_path=...))`
renders `templates/facts.sh.j2`, runs it as one remote command, and parses its raw
sections with one pure `parse_*` function per subsystem into a frozen `Facts` model.
`gather_many(connections, request, forks)` does that for many hosts in parallel, one
`HostReport` per host.
"""

from provision.facts.gather import FactsError, gather_facts
from provision.facts.many import HostReport, gather_many, gather_one
from provision.facts.model import Facts, parse_facts, parse_sections
from provision.facts.script import FactsRequest, render_script

__all__ = [
    "Facts",
    "FactsError",
    "FactsRequest",
    "HostReport",
    "gather_facts",
    "gather_many",
    "gather_one",
    "parse_facts",
    "parse_sections",
    "render_script",
]
