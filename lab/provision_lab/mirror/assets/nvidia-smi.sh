#!/bin/sh
# LAB STAND-IN for NVIDIA's nvidia-smi @DRIVER_VERSION@ (provision's sandbox lab only; not
# NVIDIA software). It reads the lab's simulated /proc/driver/nvidia files and prints what the
# real tool prints: the table, --query-gpu CSV, -L, and NVML's errors with NVML's exit codes.
# NVIDIA_SMI_LAB_ROOT prefixes every path it reads (tests only; empty on lab hosts).
ROOT="${NVIDIA_SMI_LAB_ROOT:-}"
USERSPACE_VERSION="@DRIVER_VERSION@"
NVML_VERSION="@NVML_VERSION@"
CUDA_VERSION="@CUDA_VERSION@"
LIBRARY="$ROOT/usr/lib/x86_64-linux-gnu/libnvidia-ml.so.$USERSPACE_VERSION"
PROC="$ROOT/proc/driver/nvidia"

fail_usage() {
    echo "$1"
    echo "Please run 'nvidia-smi -h' for help."
    exit 2
}

check_driver() {
    if [ ! -e "$LIBRARY" ]; then
        echo "NVIDIA-SMI couldn't find libnvidia-ml.so library in your system. Please make sure that the NVIDIA Display Driver is properly installed and present in your system."
        echo "Please also try adding directory that contains libnvidia-ml.so to your system PATH."
        exit 12
    fi
    if [ ! -r "$PROC/version" ]; then
        echo "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."
        echo
        exit 9
    fi
    KERNEL_VERSION=$(sed -n 's/^NVRM version:.*Kernel Module *\([0-9][0-9.]*\).*/\1/p' "$PROC/version" | head -n 1)
    if [ "$KERNEL_VERSION" != "$USERSPACE_VERSION" ]; then
        echo "Failed to initialize NVML: Driver/library version mismatch"
        echo "NVML library version: $NVML_VERSION"
        exit 18
    fi
}

gpu_dirs() {
    for dir in "$PROC"/gpus/*; do
        [ -r "$dir/information" ] && echo "$dir"
    done
}

field() {
    sed -n "s/^$2:[[:space:]]*//p" "$1/information" | head -n 1
}

memory_mib() {
    case "$1" in
        *"H100 80GB"*) echo 81559 ;;
        *"A100-SXM4-80GB"*|*"A100 80GB"*|*"A100-PCIE-80GB"*) echo 81920 ;;
        *"A100-SXM4-40GB"*|*"A100-PCIE-40GB"*) echo 40960 ;;
        *"RTX 4090"*|*"RTX 3090"*|*"A10"|*"A10 "*) echo 24576 ;;
        *"RTX A6000"*|*"L40S"*|*"L40"*) echo 49140 ;;
        *"RTX 4080"*) echo 16376 ;;
        *"RTX 3080"*) echo 10240 ;;
        *"T4"*) echo 15360 ;;
        *"V100"*) echo 16384 ;;
        *) echo "" ;;
    esac
}

bus_id() {
    echo "0000$(field "$1" 'Bus Location')" | tr 'a-f' 'A-F'
}

valid_field() {
    case "$1" in
        name|gpu_name|driver_version|pci.bus_id|gpu_bus_id|uuid|gpu_uuid|index|count|memory.total) ;;
        *) echo "Field \"$1\" is not a valid field to query."; echo; exit 2 ;;
    esac
}

query_value() {
    dir="$1"; name="$2"; units="$3"; index="$4"; count="$5"
    case "$name" in
        name|gpu_name) field "$dir" Model ;;
        driver_version) echo "$USERSPACE_VERSION" ;;
        pci.bus_id|gpu_bus_id) bus_id "$dir" ;;
        uuid|gpu_uuid) field "$dir" 'GPU UUID' ;;
        index) echo "$index" ;;
        count) echo "$count" ;;
        memory.total)
            mib=$(memory_mib "$(field "$dir" Model)")
            if [ -z "$mib" ]; then echo "[N/A]"; elif [ "$units" = yes ]; then echo "$mib MiB"; else echo "$mib"; fi ;;
    esac
}

query_gpus() {
    fields="$1"; format="$2"
    header=yes; units=yes
    case ",$format," in *,noheader,*) header=no ;; esac
    case ",$format," in *,nounits,*) units=no ;; esac
    case ",$format," in *,csv,*) ;; *) fail_usage "Invalid combination of input arguments." ;; esac
    names=$(echo "$fields" | tr ',' ' ')
    for name in $names; do valid_field "$name"; done
    if [ "$header" = yes ]; then
        line=""
        for name in $names; do
            label="$name"
            [ "$name" = memory.total ] && [ "$units" = yes ] && label="memory.total [MiB]"
            line="${line:+$line, }$label"
        done
        echo "$line"
    fi
    count=$(gpu_dirs | wc -l)
    index=0
    for dir in $(gpu_dirs); do
        line=""
        for name in $names; do
            line="${line:+$line, }$(query_value "$dir" "$name" "$units" "$index" "$count")"
        done
        echo "$line"
        index=$((index + 1))
    done
}

list_gpus() {
    index=0
    for dir in $(gpu_dirs); do
        echo "GPU $index: $(field "$dir" Model) (UUID: $(field "$dir" 'GPU UUID'))"
        index=$((index + 1))
    done
}

print_table() {
    rule="+-----------------------------------------+----------------------+----------------------+"
    date '+%a %b %e %H:%M:%S %Y       '
    echo "+---------------------------------------------------------------------------------------+"
    printf '| NVIDIA-SMI %-22s Driver Version: %-12s CUDA Version: %-9s|\n' \
        "$USERSPACE_VERSION" "$USERSPACE_VERSION" "$CUDA_VERSION"
    echo "|-----------------------------------------+----------------------+----------------------+"
    echo "| GPU  Name                 Persistence-M | Bus-Id        Disp.A | Volatile Uncorr. ECC |"
    echo "| Fan  Temp   Perf          Pwr:Usage/Cap |         Memory-Usage | GPU-Util  Compute M. |"
    echo "|                                         |                      |               MIG M. |"
    echo "|=========================================+======================+======================|"
    index=0
    for dir in $(gpu_dirs); do
        model=$(field "$dir" Model)
        mib=$(memory_mib "$model")
        memory="[N/A]"
        [ -n "$mib" ] && memory="0MiB / ${mib}MiB"
        printf '| %3d  %-30.30s Off | %-16s Off | %20s |\n' "$index" "$model" "$(bus_id "$dir")" "N/A"
        printf '| N/A   30C    P8              N/A /  N/A | %20s |      0%%      Default |\n' "$memory"
        echo "|                                         |                      |                  N/A |"
        echo "$rule"
        index=$((index + 1))
    done
    [ "$index" -eq 0 ] && echo "No devices were found" && exit 6
    echo "                                                                                         "
    echo "+---------------------------------------------------------------------------------------+"
    echo "| Processes:                                                                            |"
    echo "|  GPU   GI   CI        PID   Type   Process name                            GPU Memory |"
    echo "|        ID   ID                                                             Usage      |"
    echo "|=======================================================================================|"
    echo "|  No running processes found                                                           |"
    echo "+---------------------------------------------------------------------------------------+"
}

QUERY=""
FORMAT=""
ACTION=table
while [ $# -gt 0 ]; do
    case "$1" in
        --query-gpu=*) QUERY="${1#--query-gpu=}"; ACTION=query ;;
        --format=*) FORMAT="${1#--format=}" ;;
        -L|--list-gpus) ACTION=list ;;
        --version) ACTION=version ;;
        -h|--help) ACTION=help ;;
        *) fail_usage "Invalid combination of input arguments." ;;
    esac
    shift
done

case "$ACTION" in
    help)
        echo "NVIDIA System Management Interface -- v$USERSPACE_VERSION (lab stand-in)"
        echo "    -L, --list-gpus       Display a list of GPUs connected to the system."
        echo "    --query-gpu=          Information about GPU. Call --help-query-gpu for more info."
        echo "    --format=             Comma separated list of format options: csv, noheader, nounits"
        exit 0 ;;
    version)
        check_driver
        echo "NVIDIA-SMI version  : $USERSPACE_VERSION"
        echo "NVML version        : $USERSPACE_VERSION"
        echo "DRIVER version      : $USERSPACE_VERSION"
        echo "CUDA Version        : $CUDA_VERSION"
        exit 0 ;;
    query)
        [ -n "$FORMAT" ] || fail_usage "Invalid combination of input arguments."
        check_driver
        query_gpus "$QUERY" "$FORMAT" ;;
    list) check_driver; list_gpus ;;
    table) check_driver; print_table ;;
esac
