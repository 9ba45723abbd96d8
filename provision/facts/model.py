"""`Facts`: everything `provision` knows about a host, from one run of the fact script."""

from __future__ import annotations

from provision.facts.apt import AptFacts, parse_apt
from provision.facts.base import FactModel
from provision.facts.conda import CondaFacts, parse_conda
from provision.facts.cuda import CudaFacts, parse_cuda
from provision.facts.cudnn import CudnnFacts, parse_cudnn
from provision.facts.files import FileFacts, parse_files
from provision.facts.kernel import KernelFacts, OsRelease, parse_kernel, parse_os_release
from provision.facts.libtorch import LibtorchFacts, parse_libtorch
from provision.facts.nvidia import NvidiaFacts, parse_nvidia
from provision.facts.provision_state import ProvisionStateFacts, parse_provision_state
from provision.facts.sections import Sections, decode, split_sections
from provision.facts.shell_profile import UserShell, parse_shell

SCHEMA_VERSION = 1


class Facts(FactModel):
    """A host's facts; `model_dump_json()` is the document `provision facts --json` prints.

    A fact the host cannot tell (a missing tool or file) is null, never an error.
    `complete` is false when the script did not run to its end (its output was cut).
    """

    schema_version: int
    complete: bool
    os: OsRelease
    kernel: KernelFacts
    nvidia: NvidiaFacts
    cuda: CudaFacts
    cudnn: CudnnFacts
    shell: tuple[UserShell, ...]
    conda: CondaFacts | None
    libtorch: LibtorchFacts | None
    apt: AptFacts
    files: tuple[FileFacts, ...]
    provision: ProvisionStateFacts

    def file(self, path: str) -> FileFacts | None:
        """The facts of requested file `path` (None if it was not requested)."""
        return next((item for item in self.files if item.path == path), None)

    @property
    def gathered_as_root(self) -> bool:
        """Whether the script ran as root (else `/proc/*/fd` of other users went unseen)."""
        return self.kernel.uid == 0


def parse_sections(sections: Sections) -> Facts:
    """Facts from the sections of one run."""
    kernel = parse_kernel(sections)
    return Facts(
        schema_version=SCHEMA_VERSION,
        complete=sections.complete,
        os=parse_os_release(sections.text("os-release")),
        kernel=kernel,
        nvidia=parse_nvidia(sections),
        cuda=parse_cuda(sections),
        cudnn=parse_cudnn(sections),
        shell=parse_shell(sections),
        conda=parse_conda(sections),
        libtorch=parse_libtorch(sections),
        apt=parse_apt(sections),
        files=parse_files(sections),
        provision=parse_provision_state(sections, kernel.boot_id),
    )


def parse_facts(output: bytes, key: str) -> Facts:
    """Facts from the raw stdout of the fact script rendered with `key`."""
    return parse_sections(split_sections(decode(output), key))
