#!/usr/bin/env bash
# Builds oneTBB with ThreadSanitizer instrumentation, for `make test-sanitize` (its TSan half).
#
# Why: Debian's libtbb12 is not instrumented, so TSan cannot see the synchronisation inside the
# TBB scheduler (task spawn/steal, the pipeline's token passing, enumerable_thread_specific's
# table). Every hand-off of data between a TBB task and the next then looks like a race: a
# 30-line correct parallel_for + parallel_pipeline program gives ~40 "data race" reports against
# the Debian library and 0 against this build, while a race planted in a pipeline filter is still
# reported. Suppressing those reports would need patterns that match every stack going through
# TBB's templates, i.e. all of avf's parallel code, so instead the library itself is rebuilt:
# the same version as the installed libtbb-dev, from Debian's source package (apt-get source),
# with upstream's own TBB_SANITIZE=thread option. Only libtbb (no tbbmalloc, tests, examples).
#
#   bash scripts/build-tbb-tsan.sh PREFIX      # installs PREFIX/lib/libtbb.so.12, PREFIX/lib/cmake/TBB
#
# Idempotent: does nothing when PREFIX already holds the library. Needs network access to the
# Debian archive (deb-src of the same suite as the installed packages; set up privately here, the
# machine's apt configuration is not touched) and dpkg-dev (dpkg-source) or tar.
set -euo pipefail
PREFIX=${1:?usage: build-tbb-tsan.sh PREFIX}
PREFIX=$(realpath -m "$PREFIX")
if [[ -f "$PREFIX/lib/libtbb.so.12" && -f "$PREFIX/lib/cmake/TBB/TBBConfig.cmake" ]]; then
  echo "build-tbb-tsan: $PREFIX already built"
  exit 0
fi
JOBS=${JOBS:-$(nproc)}
version=$(dpkg-query -W -f='${Version}' libtbb-dev)   # e.g. 2021.8.0-2+deb12u1
. /etc/os-release                                       # VERSION_CODENAME, e.g. bookworm
work="$PREFIX.src"
rm -rf "$work" && mkdir -p "$work"/{apt/lists/partial,apt/cache/archives/partial,apt/sources.d,src}
cat >"$work/apt/sources.d/src.sources" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: $VERSION_CODENAME $VERSION_CODENAME-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb-src
URIs: http://deb.debian.org/debian-security
Suites: $VERSION_CODENAME-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
# A private apt state: only this source list, its own lists and cache.
apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$work/apt/sources.d"
          -o "Dir::State::Lists=$work/apt/lists" -o "Dir::Cache=$work/apt/cache" -o "APT::Sandbox::User=root")
echo "build-tbb-tsan: fetching Debian source onetbb=$version"
apt-get "${apt_opts[@]}" -qq update
(cd "$work/src" && apt-get "${apt_opts[@]}" -qq source --download-only "onetbb=$version")
if command -v dpkg-source >/dev/null; then
  (cd "$work/src" && dpkg-source -x --no-check onetbb_*.dsc onetbb >/dev/null)
else
  mkdir -p "$work/src/onetbb" && tar -xf "$work"/src/onetbb_*.orig.tar.* -C "$work/src/onetbb" --strip-components=1
fi
echo "build-tbb-tsan: building libtbb with -fsanitize=thread into $PREFIX"
cmake -S "$work/src/onetbb" -B "$work/build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTBB_SANITIZE=thread \
  -DTBB_TEST=OFF -DTBB_EXAMPLES=OFF -DTBBMALLOC_BUILD=OFF -DTBB_STRICT=OFF \
  -DCMAKE_INSTALL_PREFIX="$PREFIX" >"$work/configure.log"
cmake --build "$work/build" -j "$JOBS" >"$work/build.log"
cmake --install "$work/build" >"$work/install.log"
rm -rf "$work"
echo "build-tbb-tsan: done ($PREFIX/lib/libtbb.so.12)"
