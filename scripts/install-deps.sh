#!/usr/bin/env bash
# Installs every Debian 12 package avf needs to build, test and run its demo, and the npm packages
# the build inlines into avf's HTML maps (web/package-lock.json, `npm ci` into web/node_modules).
# Idempotent: packages already present are skipped; apt runs only when something is missing, and
# npm only when web/node_modules is not what web/package-lock.json pins.
# Usage: scripts/install-deps.sh [fuzz] [deb]     (as root, or with sudo available)
#   fuzz: also clang and its libFuzzer/sanitizer runtime (make fuzz)
#   deb:  also debootstrap, for a clean Debian 12 root to install the .deb into (make check-deb)
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config
  help2man                        # the avf(1) man page, generated from --help at build time
  man-db                          # man -l: tests/package/install_test.sh reads the installed page
  clang-format clang-tidy         # make format-check (CI), make format, make lint
  # fixed stack
  libgdal-dev gdal-bin            # OGR vector I/O, PROJ reprojection
  libicu-dev                      # Unicode case folding of place names (also a dependency of libgdal-dev)
  libboost1.74-dev                # Boost.Geometry (1.81 conflicts with libgdal-dev)
  libhdf5-dev hdf5-tools          # C API + high-level library; h5dump for tests
  zlib1g-dev                      # deflate of HDF5 chunks off the writer thread (storage/table.cpp)
  libtbb-dev                      # oneTBB 2021
  catch2                          # Catch2 2.13
  # helpers
  libgeographiclib-dev            # geodesic reference (Karney)
  libtomlplusplus-dev             # regime files
  libcli11-dev                    # the avf command line
  libfmt-dev                      # formatting (GCC 12 has no <format>)
  nlohmann-json3-dev              # JSON output, STAC and GeoJSON properties
  libssl-dev                      # SHA-256 through EVP
  libgeos-dev                     # independent oracle in tests
  libopenmpi-dev openmpi-bin      # `mpirun -np N avf run` (AVF_MPI=ON, which `make` configures; docs/mpi.md)
  # readers the tests open the store with (Debian's python3, not a pyenv one)
  python3 python3-h5py python3-tables python3-pandas python3-shapely
  python3-pyproj                  # the dataset generators (scripts/make_*.py, tests/scenarios/make_scenarios.py)
  # fault injection for the reliability tests (fiu-run: ENOSPC/EIO in write, pwrite, fsync)
  fiu-utils libfiu-dev
  # the HTML maps: npm packages inlined at build time (web/), and the browser test of the map
  nodejs                          # npm ci (npm itself: below, unless the nodejs package brings it)
  chromium fonts-liberation       # headless: tests/cli/map_browser.sh (its screenshots need a font)
)
for extra in "$@"; do
  case "$extra" in
    fuzz) packages+=(clang-14 libclang-rt-14-dev) ;;
    deb) packages+=(debootstrap) ;;
    *) echo "install-deps: unknown group '$extra' (known: fuzz, deb)" >&2; exit 2 ;;
  esac
done

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done

# Debian's nodejs ships npm as a package of its own; a nodejs that brings npm needs none.
if ! command -v npm >/dev/null && ! dpkg-query -W -f='${Status}' npm 2>/dev/null | grep -q "install ok installed"; then
  missing+=(npm)
fi

if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null; then SUDO=sudo; else
      echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2; exit 1
    fi
  fi

  echo "install-deps: installing ${missing[*]}" >&2
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The map's JavaScript and data (web/package.json, pinned by web/package-lock.json; licences in
# web/LICENSES.md). npm keeps a copy of the lock it installed in node_modules/.package-lock.json:
# when that is the committed lock's age or newer, the install is current.
web="$(cd "$(dirname "$0")/.." && pwd)/web"
if [ ! -f "$web/node_modules/.package-lock.json" ] || [ "$web/package-lock.json" -nt "$web/node_modules/.package-lock.json" ]; then
  echo "install-deps: npm ci in $web" >&2
  (cd "$web" && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi
