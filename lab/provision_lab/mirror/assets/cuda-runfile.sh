#!/bin/sh
# LAB STAND-IN for @RUNFILE_NAME@ (provision's sandbox lab only; not NVIDIA software).
# It accepts the CUDA installer's real options, rejects unknown ones, installs the toolkit
# files the lab's cuda-toolkit-@CUDA_DASHED@ packages lay down, and with --driver runs the
# bundled driver installer (NVIDIA-Linux-x86_64-@DRIVER_VERSION@.run), as the real one does.
SELF="$0"
CUDA_SHORT="@CUDA_SHORT@"
LOG=/var/log/cuda-installer.log

reject() {
    echo "Unknown option: $1"
    echo "Run '$SELF --help' for the supported options."
    exit 1
}

usage() {
    echo "Options: --silent --driver --toolkit --toolkitpath=<path> --defaultroot=<path>"
    echo "  --installpath=<path> --no-opengl-libs --no-man-page --override --override-driver-check"
    echo "  --no-drm --tmpdir=<path> --kernel-source-path=<path> --kernel-object-path=<path>"
    echo "  -m=kernel -m=kernel-open --run-nvidia-xconfig --extract=<path> --help (lab stand-in)"
}

SILENT=no
DRIVER=no
TOOLKIT=no
OVERRIDE=no
TOOLKIT_PATH=""
INSTALL_PATH=""
EXTRACT=""
DRIVER_FLAGS=""
while [ $# -gt 0 ]; do
    case "$1" in
        --silent) SILENT=yes ;;
        --driver) DRIVER=yes ;;
        --toolkit) TOOLKIT=yes ;;
        --toolkitpath=?*) TOOLKIT_PATH="${1#--toolkitpath=}" ;;
        --installpath=?*) INSTALL_PATH="${1#--installpath=}" ;;
        --defaultroot=?*|--tmpdir=?*|--kernel-object-path=?*|--run-nvidia-xconfig) ;;
        --no-man-page|--override-driver-check) ;;
        --override) OVERRIDE=yes ;;
        --no-opengl-libs) DRIVER_FLAGS="$DRIVER_FLAGS --no-opengl-files" ;;
        --no-drm) DRIVER_FLAGS="$DRIVER_FLAGS --no-drm" ;;
        --kernel-source-path=?*) DRIVER_FLAGS="$DRIVER_FLAGS $1" ;;
        -m=kernel|-m=kernel-open) DRIVER_FLAGS="$DRIVER_FLAGS $1" ;;
        --extract=?*) EXTRACT="${1#--extract=}" ;;
        --help|-h) usage; exit 0 ;;
        *) reject "$1" ;;
    esac
    shift
done
set -e

payload() {
    sed '1,/^__LAB_PAYLOAD_BELOW__$/d' "$SELF" | base64 -d
}

if [ -n "$EXTRACT" ]; then
    mkdir -p "$EXTRACT"
    payload | tar -xzf - -C "$EXTRACT"
    exit 0
fi
if [ "$SILENT" != yes ]; then
    echo "This lab stand-in has no interactive installer: run it with --silent." >&2
    exit 1
fi
if [ "$(id -u)" != 0 ]; then
    echo "ERROR: This installer must be run as root (sandbox lab stand-in)." >&2
    exit 1
fi
if [ "$DRIVER" = no ] && [ "$TOOLKIT" = no ]; then
    DRIVER=yes
    TOOLKIT=yes
fi
if [ "$OVERRIDE" = no ] && ! command -v gcc >/dev/null 2>&1; then
    echo "Failed to verify gcc version. See log at $LOG for details."
    echo "[ERROR]: Failed to verify gcc version." > "$LOG"
    exit 1
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
payload | tar -xzf - -C "$work"
: > "$LOG"

DRIVER_STATUS="Not Selected"
if [ "$DRIVER" = yes ]; then
    # shellcheck disable=SC2086
    if sh "$work/builds/NVIDIA-Linux-x86_64-@DRIVER_VERSION@.run" --silent $DRIVER_FLAGS >> "$LOG" 2>&1; then
        DRIVER_STATUS="Installed"
    else
        echo "Installation failed. See log at $LOG for details."
        exit 1
    fi
fi

TOOLKIT_STATUS="Not Selected"
if [ "$TOOLKIT" = yes ]; then
    if [ -n "$TOOLKIT_PATH" ]; then
        target="$TOOLKIT_PATH"
    elif [ -n "$INSTALL_PATH" ]; then
        target="$INSTALL_PATH"
    else
        target="/usr/local/cuda-$CUDA_SHORT"
    fi
    mkdir -p "$target"
    cp -a "$work/toolkit/." "$target/"
    printf '#!/bin/sh\n# LAB STAND-IN cuda-uninstaller (sandbox lab only)\nfor a in "$@"; do case "$a" in --silent) ;; *) echo "Unknown option: $a"; exit 1 ;; esac; done\n[ "$(readlink /usr/local/cuda)" = "%s" ] && rm -f /usr/local/cuda\nrm -rf "%s"\necho "Successfully uninstalled"\n' \
        "$target" "$target" > "$target/bin/cuda-uninstaller"
    chmod 0755 "$target/bin/cuda-uninstaller"
    if [ -z "$TOOLKIT_PATH" ] && [ -z "$INSTALL_PATH" ]; then
        rm -f /usr/local/cuda
        ln -s "$target" /usr/local/cuda
    fi
    TOOLKIT_STATUS="Installed in $target/"
    echo "Toolkit installed in $target" >> "$LOG"
fi

echo "==========="
echo "= Summary ="
echo "==========="
echo
echo "Driver:   $DRIVER_STATUS"
echo "Toolkit:  $TOOLKIT_STATUS"
echo
if [ "$TOOLKIT" = yes ]; then
    echo "Please make sure that"
    echo " -   PATH includes $target/bin"
    echo " -   LD_LIBRARY_PATH includes $target/lib64, or, add $target/lib64 to /etc/ld.so.conf and run ldconfig as root"
    echo
    echo "To uninstall the CUDA Toolkit, run cuda-uninstaller in $target/bin"
fi
if [ "$DRIVER" = yes ]; then
    echo "To uninstall the NVIDIA Driver, run nvidia-uninstall"
fi
echo "Logfile is $LOG"
exit 0
