"""The compatibility matrix (driver, CUDA, cuDNN, PyTorch, libtorch, GPUs) and its checks.

Data modules cite their public sources next to every row; the checks are pure functions
of a `HostState` (and, for `check_gpus`, the GPU names a host reports).
"""

from provision.compat.architectures import capability_of
from provision.compat.finding import Finding
from provision.compat.gpu_checks import check_gpus
from provision.compat.state_checks import check_compatibility

__all__ = ["Finding", "capability_of", "check_compatibility", "check_gpus"]
