#!/bin/sh
# Smoke-runs one libFuzzer target (the ctest "<target>_smoke" tests call this).
#   run_fuzz.sh TARGET_BINARY CORPUS_DIR SECONDS [ARTIFACT_DIR]
# Fuzzes a scratch copy of CORPUS_DIR for SECONDS seconds, so the committed seed
# corpus is never written to. Exits non-zero on any crash, sanitizer report,
# leak, timeout (> 10 s for one input) or RSS above 2 GB; the offending input is
# saved in ARTIFACT_DIR (default: the current directory).
set -eu

if [ $# -lt 3 ] || [ $# -gt 4 ]; then
    echo "usage: $0 TARGET_BINARY CORPUS_DIR SECONDS [ARTIFACT_DIR]" >&2
    exit 2
fi
target=$1
corpus=$2
seconds=$3
artifacts=${4:-.}

if [ ! -x "$target" ]; then echo "$0: $target is not an executable" >&2; exit 2; fi
if [ ! -d "$corpus" ]; then echo "$0: $corpus is not a directory" >&2; exit 2; fi

work=$(mktemp -d "${TMPDIR:-/tmp}/cordon-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$work/corpus" "$artifacts"
cp -R "$corpus/." "$work/corpus/"

fail() {
    echo "$0: $(basename "$target") failed $1 (exit $2); reproducer in $artifacts/" >&2
    exit "$2"
}

# First replay every seed on its own (a clear report if a committed seed fails),
# then fuzz. New inputs go to the scratch copy only.
"$target" -runs=0 -timeout=10 -rss_limit_mb=2048 -artifact_prefix="$artifacts/" "$work/corpus" ||
    fail "on a committed seed" $?
"$target" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
    -artifact_prefix="$artifacts/" "$work/corpus" || fail "while fuzzing" $?
