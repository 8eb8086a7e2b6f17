#!/usr/bin/env bash
# The .deb on a clean Debian 12 (issue 19 item 5): debootstrap a minimal bookworm root, install
# the package there with `apt-get install ./avf_*.deb` (apt brings GDAL, HDF5, oneTBB… from the
# Depends line dpkg-shlibdeps computed), then run the installed `avf --version`, `avf-demo` and
# `avf audit verify` of the demo's store inside the root. Minutes (debootstrap, ~100 MB of
# libraries), so not part of `make test`; `make check-deb` runs it. As root; needs debootstrap
# (scripts/install-deps.sh deb).
#
#   scripts/check-deb.sh build/avf_0.1.0_amd64.deb [ROOT_DIR]
#   AVF_DEBIAN_MIRROR=http://deb.debian.org/debian   (default)
set -euo pipefail
DEB=$(realpath "$1")
ROOT=$(realpath -m "${2:-${TMPDIR:-/tmp}/avf-check-deb}")
MIRROR=${AVF_DEBIAN_MIRROR:-http://deb.debian.org/debian}
[ "$ROOT" != / ] || { echo "check-deb: ROOT must not be /" >&2; exit 2; }
[ "$(id -u)" -eq 0 ] || { echo "check-deb: run as root (debootstrap, chroot)" >&2; exit 1; }
command -v debootstrap >/dev/null || { echo "check-deb: debootstrap is missing (scripts/install-deps.sh deb)" >&2; exit 1; }

# A pristine minbase root is kept beside ROOT (ROOT.base, made once by debootstrap); each check
# installs into a fresh copy of it, so the package never finds what an earlier check installed.
BASE=$ROOT.base
if [ ! -x "$BASE/usr/bin/apt-get" ]; then
    rm -rf "$BASE"
    echo "== debootstrap --variant=minbase bookworm $BASE =="
    debootstrap --variant=minbase bookworm "$BASE" "$MIRROR" >"$ROOT.debootstrap.log" 2>&1 ||
        { tail -20 "$ROOT.debootstrap.log"; exit 1; }
fi
cleanup() { umount "$ROOT/proc" 2>/dev/null || true; }
trap cleanup EXIT
cleanup
rm -rf "$ROOT"
cp -a "$BASE" "$ROOT"
mount -t proc proc "$ROOT/proc"
in_root() { chroot "$ROOT" env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive "$@"; }

cp "$DEB" "$ROOT/tmp/"
echo "== apt-get install ./$(basename "$DEB") =="
in_root apt-get update -qq
in_root apt-get install -y -q --no-install-recommends "./tmp/$(basename "$DEB")" >"$ROOT.apt.log" 2>&1 ||
    { tail -20 "$ROOT.apt.log"; exit 1; }
grep -E "^(Need to get|After this|Setting up avf)" "$ROOT.apt.log"
echo "$(grep -c '^Setting up ' "$ROOT.apt.log") packages set up (avf and what its Depends pulled in)"
in_root dpkg -s avf | grep -E "^(Version|Depends|Installed-Size):"

echo "== avf --version; avf-demo; avf audit verify (inside the root) =="
in_root avf --version
in_root sh -c 'mkdir -p /root/demo && cd /root/demo && avf-demo >demo.log 2>&1 || { tail -20 demo.log; exit 1; }; tail -1 demo.log'
in_root avf audit verify /root/demo/avf-demo/demo.h5
in_root sh -c 'test -s /usr/share/man/man1/avf.1.gz && test -s /usr/share/bash-completion/completions/avf'
echo "check-deb: ok — $(basename "$DEB") installs and runs on a clean Debian 12 root ($ROOT)"
