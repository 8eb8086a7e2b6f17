#!/usr/bin/env bash
# make.sh AVF: writes NAME.h5 here for every case of cases.txt with the avf binary AVF, run from
# the repository root. The committed stores were made by main at 1fe12ce (schema 3; the binary
# /work/tools/avf-1fe12ce on the build machine). Never regenerate them with a later build: they
# are the schema-3 side of the meaning comparison (tests/cli/test_schema_meaning.cpp).
set -euo pipefail
AVF=$(realpath "$1")
HERE=$(cd "$(dirname "$0")" && pwd)
cd "$HERE/../../.."
grep -v '^#' "$HERE/cases.txt" | while IFS='|' read -r name zones run; do
    store="$HERE/$name.h5"
    rm -f "$store" "$store.lock"
    # shellcheck disable=SC2086 # the arguments are words
    "$AVF" zones import $zones --store "$store" > /dev/null
    # shellcheck disable=SC2086
    "$AVF" run $run --store "$store" > /dev/null || [ $? -eq 1 ]
    rm -f "$store.lock"
done
