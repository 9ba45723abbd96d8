"""Shell guards that keep root off paths another account on the host controls.

provision runs as root on shared GPU workstations whose other users are not trusted.
Before root writes into a folder, keeps its own state or downloads in one, or runs a
program from an install folder, a guard checks on the host, at that moment, that every
folder on the way is root's and writable by nobody else (a sticky folder such as /tmp
excepted, since its other users cannot replace root's entries), that a symbolic link on
the way is root's, and that the folder itself is root's (or, for a write into a user's
own folder, that user's). A guard that fails prints one line,
`provision: <path> is ...`, on stderr and exits `REFUSED_EXIT`, so the host fails with
the path named and nothing after the guard runs.

The checks read modes with `stat -c %f` (raw hexadecimal bits), never its localized
type names.
"""

from __future__ import annotations

from provision import shell

REFUSED_EXIT = 77

REFUSE_FUNCTION = r"""provision_refuse() { printf 'provision: %s\n' "$*" >&2; exit 77; }
"""
"""`provision_refuse MESSAGE`: print `provision: MESSAGE` on stderr and exit `REFUSED_EXIT`
(for a script of its own, such as one run as another account, that needs no more)."""

FUNCTIONS = (
    REFUSE_FUNCTION
    + r"""provision_chain() {
  _pc_real=$(realpath -e -- "$1" 2>/dev/null) || provision_refuse "$1 does not exist"
  _pc_list=
  for _pc_p in "$1" "$_pc_real"; do
    while :; do
      _pc_list="$_pc_list$_pc_p
"
      [ "$_pc_p" = / ] && break
      _pc_p=${_pc_p%/*}
      [ -n "$_pc_p" ] || _pc_p=/
    done
  done
  _pc_found=
  while IFS=: read -r _pc_uid _pc_gid _pc_bits _pc_name; do
    [ -n "$_pc_name" ] || continue
    _pc_type=$(( 0x$_pc_bits & 61440 ))
    _pc_mode=$(printf '%o' $(( 0x$_pc_bits & 4095 )))
    _pc_open=$(( 0x$_pc_bits & 2 ))
    [ "$_pc_gid" = 0 ] || _pc_open=$(( 0x$_pc_bits & 18 ))
    if [ "$_pc_name" = "$_pc_real" ]; then
      [ "$_pc_type" = 16384 ] || provision_refuse "$_pc_real is not a folder"
      case "$_pc_uid" in
        0 | "$2") ;;
        *) provision_refuse "$_pc_real is owned by uid $_pc_uid, not by root${2:+ or uid $2}" ;;
      esac
      [ "$_pc_open" = 0 ] \
        || provision_refuse "$_pc_real is writable by other users (mode $_pc_mode)"
      _pc_found="$_pc_uid $_pc_mode"
    elif [ "$_pc_type" = 40960 ]; then
      [ "$_pc_uid" = 0 ] \
        || provision_refuse "$_pc_name is a symbolic link of uid $_pc_uid, not of root"
    else
      [ "$_pc_type" = 16384 ] && [ "$_pc_uid" = 0 ] \
        || provision_refuse "$_pc_name is not a folder of root's (uid $_pc_uid)"
      [ "$_pc_open" = 0 ] || [ $(( 0x$_pc_bits & 512 )) != 0 ] \
        || provision_refuse "$_pc_name is writable by other users (mode $_pc_mode)"
    fi
  done <<PROVISION_CHAIN
$(IFS='
'; set -f; LC_ALL=C stat -c '%u:%g:%f:%n' -- $_pc_list)
PROVISION_CHAIN
  [ -n "$_pc_found" ] || provision_refuse "cannot check $1"
  printf '%s\n' "$_pc_found"
}
provision_root_folder() {
  if [ -L "$1" ] || [ ! -d "$1" ]; then
    [ -L "$1" ] && provision_refuse "$1 is a symbolic link, not a folder of root's"
    (umask 077 && mkdir -p -- "$1") || provision_refuse "cannot create $1"
  fi
  _rf_found=$(provision_chain "$1" 0) || exit 77
  [ "$_rf_found" = "0 700" ] || chmod 0700 -- "$1"
}
provision_trusted_tree() {
  provision_chain "$1" 0 >/dev/null || exit 77
  _tt_bad=$(find "$1" ! -user 0 -print -quit \
    -o ! -type l \( -perm /002 -o -perm /020 ! -group 0 \) -print -quit 2>/dev/null)
  [ -z "$_tt_bad" ] \
    || provision_refuse "$_tt_bad, under $1, belongs to or is writable by another user"
}
"""
)
"""The guards as shell functions: `provision_chain FOLDER [UID]` prints the real folder's
owner and mode after checking it (and every folder above it) as described above;
`provision_root_folder FOLDER` makes provision's own working folder (mode 0700) or
checks the one found, tightening a root-owned one to 0700; `provision_trusted_tree
FOLDER` checks the folder's chain and that nothing under it is another user's or
writable by one, before root runs a program from it."""


def guarded(*lines: str) -> str:
    """A command line that defines the guard functions, then runs `lines` joined by `&&`."""
    return FUNCTIONS + " && ".join(lines)


def root_folder(path: str) -> str:
    """The guard line that makes (or checks) provision's own working folder `path`."""
    return shell.command("provision_root_folder", path)


def trusted_tree(path: str) -> str:
    """The guard line that checks `path` and everything under it before root runs from it."""
    return shell.command("provision_trusted_tree", path)
