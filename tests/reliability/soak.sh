#!/usr/bin/env bash
# The long variant of the crash harness (`make soak`): hundreds of kill -9 trials of `avf run` and
# `avf zones import` on a 200k-detection workload, then the figures; then the I/O-error injection
# with a dense sweep (AVF_FAULT_SWEEP failing positions per call type). Not part of `make test`
# (it takes about half an hour on 2 cores). Override any AVF_CRASH_* variable from the
# environment (see tests/reliability/test_crash.cpp), e.g. AVF_CRASH_SEED=7 make soak.
#
#   bash tests/reliability/soak.sh [BUILD_DIR]
set -euo pipefail
BUILD=${1:-build}
cd "$(dirname "$0")/../.."
export AVF_CRASH_TRIALS=${AVF_CRASH_TRIALS:-200}
export AVF_CRASH_WINDOW_TRIALS=${AVF_CRASH_WINDOW_TRIALS:-100}
export AVF_CRASH_IMPORT_TRIALS=${AVF_CRASH_IMPORT_TRIALS:-40}
export AVF_CRASH_DETECTIONS=${AVF_CRASH_DETECTIONS:-200000}
export AVF_CRASH_SEED=${AVF_CRASH_SEED:-20270301}
export AVF_CRASH_PYTHON_STORES=${AVF_CRASH_PYTHON_STORES:-40}
export AVF_FAULT_SWEEP=${AVF_FAULT_SWEEP:-60}
export AVF_BIN=${AVF_BIN:-$PWD/$BUILD/cli/avf}
mkdir -p "$BUILD/soak"
LOG="$BUILD/soak/crash-$(date -u +%Y%m%dT%H%M%SZ).log"
echo "crash harness soak: $AVF_CRASH_TRIALS + $AVF_CRASH_WINDOW_TRIALS run trials, $AVF_CRASH_IMPORT_TRIALS import trials," \
     "$AVF_CRASH_DETECTIONS detections, seed $AVF_CRASH_SEED; log: $LOG"
"$BUILD/tests/reliability/test_reliability" "crash harness*" 2>&1 | tee "$LOG"
"$BUILD/tests/reliability/test_reliability" "I/O errors*" 2>&1 | tee -a "$LOG"
