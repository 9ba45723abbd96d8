"""NVIDIA's apt signing key, installed only after its fingerprint is checked.

NVIDIA documents `dpkg -i cuda-keyring_1.1-1_all.deb`, but publishes no checksum of that
package, only its key IDs. So root never installs the downloaded package (its maintainer
script would run before anything is checked): the keyring file is taken out of it with
`dpkg-deb` (which runs nothing), every primary key in it must have one of the
fingerprints below (an extra key appended to a genuine keyring is refused too), and only
then is it installed at the path NVIDIA's package uses, which the managed source list
names in `signed-by`. The fingerprints are computed on the host by the standard OpenPGP
v4 rule (SHA-1 over 0x99, the two-byte length and the public-key packet), with `od`,
`awk` and `sha1sum` only, since `gpg` is not on every host.
"""

from __future__ import annotations

from provision import shell
from provision.facts.provision_state import INSTALLER_TMP_DIR
from provision.plan import Command
from provision.trusted_paths import root_folder

KEYRING_PATH = "/usr/share/keyrings/cuda-archive-keyring.gpg"
KEYRING_DEB = "cuda-keyring_1.1-1_all.deb"

NVIDIA_KEY_FINGERPRINTS = {
    "EB693B3035CD5710E231E123A4B469963BF863CC": (
        "3bf863cc, cudatools <cudatools@nvidia.com>, the key of the ubuntu2004, ubuntu2204, "
        "ubuntu2404 and debian12 repositories: NVIDIA/cuda-repo-management SIGNATURES.md "
        "@ ee8303dff360b1523307eb18c45a6a5b987512ce ('Primary key fingerprint: EB69 3B30 "
        "35CD 5710 E231 E123 A4B4 6996 3BF8 63CC')"
    ),
}
"""The keys a cuda-keyring package may hold, with their sources. NVIDIA's debian13 and
ubuntu2604 repositories use newer keys whose full fingerprints NVIDIA has not published
where we could cite them; those distributions are not supported yet."""

FINGERPRINTS_FUNCTION = r"""provision_key_fingerprints() {
  od -An -v -tu1 -- "$1" | awk '
    { for (i = 1; i <= NF; i++) b[n++] = $i + 0 }
    END {
      p = 0
      while (p < n) {
        h = b[p]
        if (h < 128) { print "bad"; exit 1 }
        if (h >= 192) {
          tag = h - 192; l0 = b[p + 1]
          if (l0 < 192) { len = l0; hl = 2 }
          else if (l0 < 224) { len = (l0 - 192) * 256 + b[p + 2] + 192; hl = 3 }
          else if (l0 == 255) {
            len = ((b[p + 2] * 256 + b[p + 3]) * 256 + b[p + 4]) * 256 + b[p + 5]; hl = 6
          } else { print "bad"; exit 1 }
        } else {
          tag = int((h - 128) / 4); kind = h % 4
          if (kind == 0) { len = b[p + 1]; hl = 2 }
          else if (kind == 1) { len = b[p + 1] * 256 + b[p + 2]; hl = 3 }
          else if (kind == 2) {
            len = ((b[p + 1] * 256 + b[p + 2]) * 256 + b[p + 3]) * 256 + b[p + 4]; hl = 5
          } else { print "bad"; exit 1 }
        }
        if (p + hl + len > n) { print "bad"; exit 1 }
        if (tag == 6) {
          if (b[p + hl] != 4 || len > 65535) { print "bad"; exit 1 }
          print p + hl, len
        }
        p += hl + len
      }
    }' | while read -r offset length; do
    if [ "$offset" = bad ]; then echo bad; continue; fi
    {
      printf '\231'
      printf "\\$(printf %03o $((length / 256)))\\$(printf %03o $((length % 256)))"
      tail -c +$((offset + 1)) -- "$1" | head -c "$length"
    } | sha1sum | cut -c1-40 | tr a-f A-F
  done
}
provision_check_keyring() {
  _ck_found=$(provision_key_fingerprints "$1")
  [ -n "$_ck_found" ] || provision_refuse "$1 holds no OpenPGP key"
  for _ck_key in $_ck_found; do
    [ "$_ck_key" != bad ] || provision_refuse "$1 is not an OpenPGP keyring provision can read"
    case " $2 " in
      *" $_ck_key "*) ;;
      *) provision_refuse "$1 holds key $_ck_key, which is not NVIDIA's: not installed" ;;
    esac
  done
}
"""
"""`provision_key_fingerprints KEYRING` prints the fingerprint of every primary key of a
binary keyring (`bad` for a packet it cannot read); `provision_check_keyring KEYRING
"FPR..."` refuses a keyring holding no key or any key not in the list."""


def install_keyring(package: str) -> Command:
    """Take NVIDIA's keyring out of the downloaded `package` (never installing the
    package itself), check every key's fingerprint, and install it at `KEYRING_PATH`."""
    work = f"{INSTALLER_TMP_DIR}/cuda-keyring"
    member = f".{KEYRING_PATH}"
    fingerprints = " ".join(sorted(NVIDIA_KEY_FINGERPRINTS))
    steps = " && ".join([
        root_folder(INSTALLER_TMP_DIR),
        shell.command("rm", "-rf", work),
        shell.command("mkdir", "-m", "0700", work),
        shell.command("dpkg-deb", "--fsys-tarfile", package)
        + " | "
        + shell.command("tar", "-x", "--no-same-owner", "-C", work, member),
        shell.command("provision_check_keyring", f"{work}{KEYRING_PATH}", fingerprints),
        shell.command("install", "-m", "0644", "-o", "root", "-g", "root", f"{work}{KEYRING_PATH}",
                      KEYRING_PATH),
        shell.command("rm", "-rf", work),
    ])  # fmt: skip
    return Command(command=steps, functions=("path-guards", "key-fingerprints"))
