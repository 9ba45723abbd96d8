#!/bin/sh
# LAB STAND-IN for Miniconda3-@MINICONDA_RELEASE@-Linux-x86_64.sh (provision's sandbox lab only;
# not Anaconda's Miniconda). Same options as the real installer (getopts "bifhkp:sut");
# installs a venv-backed stand-in `conda` (see lab/provision_lab/mirror/README.md).
THIS_PATH="$0"
PREFIX="${HOME:-/root}/miniconda3"
BATCH=0
FORCE=0
UPDATE=0

usage() {
    cat <<USAGE
usage: $THIS_PATH [options]

Installs Miniconda3 @MINICONDA_RELEASE@ (sandbox lab stand-in)

-b           run install in batch mode (without manual intervention),
             it is expected the license terms (if any) are agreed upon
-f           no error if install prefix already exists
-h           print this help message and exit
-p PREFIX    install prefix, defaults to $PREFIX, must not contain spaces.
-s           skip running pre/post-link/install scripts
-u           update an existing installation
-t           run package tests after installation (may install conda-build)
USAGE
}

while getopts ":bifhkp:sut" option; do
    case "$option" in
        b) BATCH=1 ;;
        f) FORCE=1 ;;
        h) usage; exit 2 ;;
        p) PREFIX="$OPTARG" ;;
        s|t|i|k) ;;
        u) UPDATE=1 ;;
        :) echo "ERROR: option -$OPTARG needs a value, please try -h" >&2; exit 1 ;;
        *) echo "ERROR: did not recognize option '-$OPTARG', please try -h" >&2; exit 1 ;;
    esac
done
shift $((OPTIND - 1))
if [ $# -gt 0 ]; then
    echo "ERROR: did not recognize option '$1', please try -h" >&2
    exit 1
fi
if [ "$BATCH" != 1 ]; then
    echo "ERROR: this lab stand-in installs in batch mode only: pass -b" >&2
    exit 1
fi
case "$PREFIX" in
    *" "*) echo "ERROR: Cannot install into directories with spaces" >&2; exit 1 ;;
esac
if [ -e "$PREFIX" ] && [ "$UPDATE" = 0 ] && [ "$FORCE" = 0 ]; then
    echo "ERROR: File or directory already exists: '$PREFIX'" >&2
    echo "If you want to update an existing installation, use the -u option." >&2
    exit 1
fi
set -e
echo "PREFIX=$PREFIX"
echo "Unpacking payload ..."
python3 -m venv "$PREFIX"
mkdir -p "$PREFIX/envs" "$PREFIX/pkgs" "$PREFIX/condabin"
{
    echo "#!$PREFIX/bin/python"
    sed '1,/^__LAB_PAYLOAD_BELOW__$/d' "$THIS_PATH"
} > "$PREFIX/bin/conda"
chmod 0755 "$PREFIX/bin/conda"
ln -sf ../bin/conda "$PREFIX/condabin/conda"
echo
echo "Installing base environment..."
"$PREFIX/bin/conda" _lab_record_base
echo "installation finished."
exit 0
