#!/usr/bin/env bash
# The install a user takes home (issue 19 item 5): `cmake --install` into a scratch root, then only
# the installed files are used — bin/avf --version, the man page (man -l, with its sections and one
# subsection per command), the bash completion sourced in a clean bash (avf's commands, a family's
# subcommands, a command's options), and bin/avf-demo run from share/avf, whose store
# `avf audit verify` proves committed. With --deb it also builds the Debian package as
# `make package` does (cpack) and checks `dpkg-deb -I/-c`: the same files, and a Depends line
# computed from the libraries avf links.
#
#   tests/package/install_test.sh BUILD_DIR OUT_DIR [--deb]
set -euo pipefail
BUILD=$(realpath "$1")
OUT=$(realpath -m "$2")
WITH_DEB=${3:-}
fail() { echo "install_test: $*" >&2; exit 1; }

rm -rf "$OUT"
mkdir -p "$OUT"
ROOT=$OUT/root
DESTDIR=$ROOT cmake --install "$BUILD" --prefix /usr >"$OUT/install.log"
P=$ROOT/usr
for f in bin/avf bin/avf-demo share/man/man1/avf.1.gz share/bash-completion/completions/avf \
    share/avf/datasets/demo/regime.toml share/avf/datasets/korea/zones.geojson share/avf/datasets/mission/images.json \
    share/doc/avf/README.md share/doc/avf/docs/store-format.md share/doc/avf/web/LICENSES.md \
    share/doc/avf/web/leaflet/LICENSE; do
    [ -e "$P/$f" ] || fail "$f not installed"
done

# The installed binary, away from the build tree.
version=$(cd "$OUT" && "$P/bin/avf" --version)
echo "$version"
[[ $version == "avf "* ]] || fail "avf --version printed '$version'"

# Commands avf knows, read from its --help (not from the generator of the files under test).
mapfile -t families < <("$P/bin/avf" --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ ${#families[@]} -ge 5 ] || fail "avf --help lists ${#families[@]} commands"

# The man page: renders, has the sections help2man and packaging/avf.h2m give it, and a
# subsection for every command (its options come from that command's --help).
man_text=$(MANWIDTH=100 LC_ALL=C.UTF-8 man -l "$P/share/man/man1/avf.1.gz" 2>"$OUT/man.err")
[ -s "$OUT/man.err" ] && { cat "$OUT/man.err"; fail "man -l complained"; }
printf '%s\n' "$man_text" >"$OUT/avf.1.txt"
for section in NAME SYNOPSIS DESCRIPTION OPTIONS COMMANDS "EXIT STATUS" EXAMPLES FILES; do
    grep -qx "$section" "$OUT/avf.1.txt" || fail "the man page has no $section section"
done
for code in 0 1 2 3 4 70; do
    awk '/^EXIT STATUS$/ { on = 1; next } /^[A-Z]/ { on = 0 } on' "$OUT/avf.1.txt" | grep -qE "^ +$code( |$)" ||
        fail "EXIT STATUS does not list $code"
done
for family in "${families[@]}"; do
    grep -qE "^   avf $family( |$)" "$OUT/avf.1.txt" || fail "the man page has no subsection for avf $family"
done
grep -q -- "--regime" "$OUT/avf.1.txt" || fail "the man page lacks avf run's --regime"

# The completion, sourced in a bash without bash-completion: what <TAB> offers.
complete_words() { # complete_words WORD... (the last one is being typed)
    env -i PATH="$PATH" bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
        _avf; printf "%s\n" "${COMPREPLY[@]}"' _ "$P/share/bash-completion/completions/avf" "$@"
}
offered=$(complete_words avf "")
for family in "${families[@]}"; do
    grep -qx "$family" <<<"$offered" || fail "avf <TAB> does not offer $family (offered: $offered)"
done
grep -qx completion <<<"$offered" && fail "avf <TAB> offers the hidden completion command"
mapfile -t zone_cmds < <("$P/bin/avf" zones --help | awk '/^Subcommands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
offered=$(complete_words avf zones "")
for c in "${zone_cmds[@]}"; do
    grep -qx "$c" <<<"$offered" || fail "avf zones <TAB> does not offer $c"
done
offered=$(complete_words avf run --reg)
[ "$offered" = "--regime" ] || fail "avf run --reg<TAB> offered '$offered'"
offered=$(complete_words avf run --regime "")
[ -z "$offered" ] || fail "avf run --regime <TAB> offered words, not files: '$offered'"
# Every option of every command, as its --help lists it, is offered after that command.
"$P/bin/avf" completion commands --leaves >"$OUT/commands.txt"
while read -r cmd; do
    # shellcheck disable=SC2086 # the command path is words
    offered=$(complete_words avf $cmd -)
    for opt in $("$P/bin/avf" $cmd --help | grep -oE '^  (-[A-Za-z0-9],)?--[a-z0-9-]+' | tr ',' ' '); do
        grep -qx -- "$opt" <<<"$offered" || fail "avf $cmd -<TAB> does not offer $opt"
    done
    # An option whose value is one of a set (its help shows "TEXT:{a,b,c}") offers those values.
    "$P/bin/avf" $cmd --help | sed -nE 's/^  (-[A-Za-z0-9],)?(--[a-z0-9-]+) [A-Z]+:\{([^}]*)\}.*/\2 \3/p' |
        while read -r opt set; do
            offered=$(complete_words avf $cmd "$opt" "" | sort | tr '\n' ' ')
            expected=$(tr ',' '\n' <<<"$set" | sed 's/->.*//' | sort | tr '\n' ' ')
            [ "$offered" = "$expected" ] || fail "avf $cmd $opt <TAB> offered '$offered', not '$expected'"
        done
done <"$OUT/commands.txt"

# The demo from the installed files, in a folder of its own: a committed, verified store.
mkdir -p "$OUT/home"
(cd "$OUT/home" && "$P/bin/avf-demo") >"$OUT/demo.log" 2>&1 || { tail -20 "$OUT/demo.log"; fail "avf-demo failed"; }
STORE=$OUT/home/avf-demo/demo.h5
[ -s "$STORE" ] && [ -s "$OUT/home/avf-demo/findings.gpkg" ] || fail "avf-demo wrote no store or export"
"$P/bin/avf" audit verify "$STORE" | tee "$OUT/verify.txt"
"$P/bin/avf" findings list --store "$STORE" --limit 0 -f json >"$OUT/findings.json"
python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); n = len(d if isinstance(d, list) else d["findings"]); print(n, "findings"); sys.exit(n == 0)' \
    "$OUT/findings.json" || fail "the installed demo's run has no findings"

if [ "$WITH_DEB" = --deb ]; then
    (cd "$OUT" && cpack --config "$BUILD/CPackConfig.cmake" -B "$OUT/deb" >"$OUT/cpack.log" 2>&1) || { cat "$OUT/cpack.log"; fail "cpack failed"; }
    DEB=$(ls "$OUT"/deb/avf_*.deb)
    ls -l "$DEB"
    dpkg-deb -I "$DEB" | tee "$OUT/deb-info.txt"
    dpkg-deb -c "$DEB" >"$OUT/deb-contents.txt"
    grep -qE '^ Package: avf$' "$OUT/deb-info.txt" || fail "the .deb is not named avf"
    for lib in libgdal libhdf5 libtbb libssl; do
        grep -E '^ Depends:' "$OUT/deb-info.txt" | grep -q "$lib" || fail "the .deb's Depends lacks $lib"
    done
    for f in usr/bin/avf usr/bin/avf-demo usr/share/man/man1/avf.1.gz usr/share/bash-completion/completions/avf \
        usr/share/avf/datasets/demo/regime.toml usr/share/doc/avf/README.md; do
        grep -qE " \./$f$" "$OUT/deb-contents.txt" || fail "the .deb lacks /$f"
    done
fi
echo "install_test: ok"
