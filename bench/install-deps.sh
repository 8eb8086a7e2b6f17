#!/usr/bin/env bash
# Debian packages the benchmark needs beyond scripts/install-deps.sh (make bench runs both):
# PostgreSQL 15 + PostGIS 3.3 for the PostGIS contender, GNU time for peak RSS. (Profilers —
# perf, valgrind — are not needed by make bench; docs/benchmarks.md says how profiles were taken.)
# Idempotent: apt runs only when a package is missing. apt only.
set -euo pipefail

packages=(
  postgresql-15 postgresql-15-postgis-3 postgresql-client-15   # the PostGIS 3.3 contender
  time                                                           # /usr/bin/time -v (peak RSS)
  libgeos-dev                                                    # the GEOS 3.11 baseline (also in scripts/install-deps.sh)
  python3                                                        # densify.py, table formatting
)

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null; then SUDO=sudo; else
    echo "bench/install-deps: missing packages (${missing[*]}) and not root; run as root" >&2; exit 1
  fi
fi
echo "bench/install-deps: installing ${missing[*]}" >&2
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# Debian's postgresql-common creates a default cluster on install; the benchmark never uses it
# (it starts its own throwaway cluster), so do not create one.
$SUDO mkdir -p /etc/postgresql-common/createcluster.d
echo 'create_main_cluster = false' | $SUDO tee /etc/postgresql-common/createcluster.d/avf-bench.conf >/dev/null
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
