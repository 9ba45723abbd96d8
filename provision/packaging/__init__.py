"""What NVIDIA's software is called on each supported distribution, defined once as data
with its sources: the driver's packages per distribution, repository, branch era and
flavour (`driver_names`), the CUDA toolkit and cuDNN packages (`cuda_names`), and which
toolkits each of NVIDIA's distribution repositories carries (`availability`). Every task
and check asks here; nothing else spells a package name.

The sources are keyed as in `shared/reference/nvidia-packaging.md`; a name we could not
find in a public source is marked UNCONFIRMED where it is defined.
"""
