#!/usr/bin/env bash
# expect-failure.sh REGEX COMMAND...: passes when COMMAND exits non-zero AND its output matches REGEX, so a
# check is shown to catch the fault it exists for (and not merely to crash).
set -uo pipefail
regex=$1
shift
output=$("$@" 2>&1)
status=$?
printf '%s\n' "$output"
if [ "$status" -eq 0 ]; then
  echo "expected a failure, got exit 0"
  exit 1
fi
if ! grep -Eq -- "$regex" <<<"$output"; then
  echo "exit $status, but the output does not match: $regex"
  exit 1
fi
echo "refused as expected (exit $status)"
