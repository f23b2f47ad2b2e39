#!/usr/bin/env bash
# ThreadSanitizer over the test suite and over the example host's concurrent evaluations.
# A data race fails the run. Build folders of their own, so the normal builds stay as they are.
#
#   Fuzz/tsan.sh
set -euo pipefail
cd "$(dirname "$0")/.."
export TSAN_OPTIONS="halt_on_error=1 second_deadlock_stack=1"
swift test --sanitize=thread --scratch-path .build-tsan
swift run --sanitize=thread --scratch-path .build-tsan-host --package-path Examples/ServerHost
