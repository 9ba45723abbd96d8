"""The sandbox lab's offline mirror of stand-in NVIDIA artefacts, PyTorch wheels and libtorch.

`build_mirror(destination)` builds the folder the lab's HTTP server serves at
`http://127.0.0.1:PORT/`; `MirrorBuild` says where each part lies. Every NVIDIA and conda
artefact in it is a LAB STAND-IN (see README.md in this folder), never used outside the lab.
"""

from provision_lab.mirror.build import build_mirror, recipe_hash
from provision_lab.mirror.layout import MirrorBuild

__all__ = ["MirrorBuild", "build_mirror", "recipe_hash"]
