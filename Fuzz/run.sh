#!/usr/bin/env bash
# Builds the libFuzzer harnesses with AddressSanitizer and runs them.
#
#   Fuzz/run.sh TARGET SECONDS [libFuzzer options…]   one of formula csv json repl xlsx lsp, or all
#
# Seeds come from Fuzz/corpus/TARGET (committed, never written); what the fuzzer finds goes to
# .build/fuzz/corpus/TARGET, and crashes to .build/fuzz/crashes. Exits 1 on a finding.
set -euo pipefail
cd "$(dirname "$0")"
target=${1:?usage: Fuzz/run.sh formula|csv|json|repl|xlsx|lsp|all SECONDS}
seconds=${2:?usage: Fuzz/run.sh TARGET SECONDS}
shift 2
# Optimised, as fuzzing wants many executions a second; the sanitizer checks all the same.
# KIPI_FUZZ_SANITIZERS=fuzzer leaves AddressSanitizer out (in a build folder of its own): several
# times the executions a second for long campaigns over safe code, where Swift's own checks trap.
sanitizers=${KIPI_FUZZ_SANITIZERS:-fuzzer,address}
scratch=.build
[ "$sanitizers" = fuzzer,address ] || scratch=.build-$sanitizers
swift build -c release --scratch-path "$scratch" -Xswiftc -sanitize="$sanitizers" -Xswiftc -use-ld=lld 2>&1 | grep -E "error|Build complete" | tail -3
binary=$scratch/release/KipiFuzz
targets=$target
[ "$target" = all ] && targets="formula csv json repl xlsx lsp"
status=0
for name in $targets; do
    work=.build/fuzz/corpus/$name
    mkdir -p "$work" .build/fuzz/crashes
    echo "== $name for ${seconds}s"
    KIPI_FUZZ_TARGET=$name ASAN_OPTIONS=detect_leaks=0 "$binary" "$work" "corpus/$name" -dict=kipi.dict -max_total_time="$seconds" \
        -timeout=30 -rss_limit_mb=4096 -max_len=8192 -print_final_stats=1 -artifact_prefix=.build/fuzz/crashes/$name- "$@" \
        > .build/fuzz/$name.log 2>&1 || status=1
    grep -E "^#[0-9]+ +DONE|stat::number_of_executed_units|stat::average_exec_per_sec|ERROR|SUMMARY|Test unit written" .build/fuzz/$name.log | tail -6 || true
done
exit $status
