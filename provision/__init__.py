"""provision: declarative, idempotent provisioning of GPU workstations and fleets."""

__version__ = "0.1.0"
