#!/usr/bin/env bash
# The avf(1) man page, generated at build time by Debian's help2man from the help avf prints:
# `avf --help`, then one subsection per command (`avf completion commands --leaves` lists them,
# read off the same command tree avf parses) made from that command's `--help`, then the hand-written
# sections of packaging/avf.h2m (EXIT STATUS, EXAMPLES, FILES, SEE ALSO). Written gzipped, as Debian
# installs man pages. Run by the build (cmake/avf_install.cmake):
#
#   packaging/make-man.sh build/cli/avf build/packaging/avf.1.gz
set -euo pipefail
AVF=$(realpath "$1")
OUT=$(realpath -m "$2")
HERE=$(cd "$(dirname "$0")" && pwd)
command -v help2man >/dev/null || { echo "make-man: help2man is missing (scripts/install-deps.sh installs it)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# CLI11 prints "-h,--help": help2man takes an option line to be "-x, --xx".
split_names() { sed -E 's/^(  +-[A-Za-z0-9]),--/\1, --/'; }

# The text help2man reads: avf's own help, then "*Commands*" (a section of its own) and for each
# command a heading line ending in ':' followed by indented lines (help2man's subsection form),
# its description, its usage, and its positionals and options. Positionals are set apart by blank
# lines (help2man joins the lines of a paragraph); "Options:" lines are dropped, since help2man
# would move what follows into the page's OPTIONS section.
{
    "$AVF" --help | split_names
    echo
    echo "*Commands*"
    "$AVF" completion commands --leaves | while read -r cmd; do
        # shellcheck disable=SC2086 # the command path is words
        "$AVF" $cmd --help | split_names | awk -v cmd="avf $cmd" '
            NR == 1 { description = $0; next }
            NR == 2 { sub(/^Usage: /, ""); print cmd ":"; print "  " description; print ""; print "  Usage: " $0; print ""; next }
            /^(Options|Positionals):$/ { section = $0; next }
            /^$/ { next }
            section == "Positionals:" { print; print ""; next }
            { print }'
        echo
    done
} >"$work/help.txt"

# help2man runs a program: this one prints the text above for --help and avf's --version.
cat >"$work/avf" <<WRAPPER
#!/bin/sh
case "\$1" in
  --version) exec "$AVF" --version ;;
  *) cat "$work/help.txt" ;;
esac
WRAPPER
chmod +x "$work/avf"

LC_ALL=C.UTF-8 help2man --no-info --section 1 --locale C.UTF-8 \
    --name "arms-control verification fusion: check declarations and observations against treaty zones" \
    --include "$HERE/avf.h2m" --output "$work/avf.1" "$work/avf"
# A subsection heading keeps help2man's trailing ':' ("avf zones import:"): drop it.
sed -i -E 's/^\.SS "(avf [^"]*):"$/.SS "\1"/' "$work/avf.1"
mkdir -p "$(dirname "$OUT")"
gzip -9n <"$work/avf.1" >"$OUT.tmp"
mv "$OUT.tmp" "$OUT"
