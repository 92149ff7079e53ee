#!/usr/bin/env bash
# Run one phase of the test command and print how long it took (CI keeps a record of every phase's time).
# Usage: scripts/phase.sh NAME COMMAND...
name="$1"
shift
start=${EPOCHREALTIME/./}
"$@"
rc=$?
end=${EPOCHREALTIME/./}
elapsed=$(( (end - start) / 100000 ))
printf '== phase %s: %d.%d s (exit %d)\n' "$name" $((elapsed / 10)) $((elapsed % 10)) "$rc"
exit "$rc"
