#!/bin/sh
# LAB STAND-IN for NVIDIA's nvcc @CUDA_SHORT@ (provision's sandbox lab only; not NVIDIA
# software). It answers --version/-V in the real format; it cannot compile anything.
print_version() {
    echo "nvcc: NVIDIA (R) Cuda compiler driver"
    echo "Copyright (c) @COPYRIGHT_YEARS@ NVIDIA Corporation"
    echo "Built on @BUILT_ON@"
    echo "Cuda compilation tools, release @CUDA_SHORT@, V@COMPONENT_VERSION@"
    echo "Build @BUILD@"
}

if [ $# -eq 0 ]; then
    echo "nvcc fatal   : No input files specified; use option --help for more information"
    exit 1
fi
for argument in "$@"; do
    case "$argument" in
        --version|-V) print_version; exit 0 ;;
    esac
done
echo "nvcc fatal   : this is the sandbox lab's stand-in nvcc; it prints --version only" >&2
exit 1
