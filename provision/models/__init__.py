"""The desired state of a host, as pydantic models that reject anything unsafe or unknown."""

from provision.models.conda import Conda, CondaEnv, PyTorchBuild
from provision.models.cuda import CudaToolkit
from provision.models.cudnn import CudnnBuild
from provision.models.driver import Driver
from provision.models.libtorch import Libtorch
from provision.models.parse import parse_host_state
from provision.models.sources import Sources
from provision.models.state import HostState, ShellProfile, Verify

__all__ = [
    "Conda",
    "CondaEnv",
    "CudaToolkit",
    "CudnnBuild",
    "Driver",
    "HostState",
    "Libtorch",
    "PyTorchBuild",
    "ShellProfile",
    "Sources",
    "Verify",
    "parse_host_state",
]
