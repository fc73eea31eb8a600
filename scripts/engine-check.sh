#!/usr/bin/env bash
# The real-engine check (README "Testing"): builds the Pulumi CLI once from the Go module proxy
# (cached outside the repo, see build-pulumi-cli.sh), puts the stand-ins from engine/bin (language
# host, test-double providers) on PATH, and runs test/engine/cli: config parity between the CLI and
# the offline plan, then stack init / preview with policy packs / up / preview --expect-no-changes /
# stack export / destroy for dev and prod. Ends with `N passed, M failed`.
# Run after `npm ci` (scripts/test.sh does it). Pass mocha arguments through, e.g. `--grep dev`.
set -uo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1

started=$SECONDS
if ! PULUMI_BIN="$(bash scripts/build-pulumi-cli.sh)"; then
  echo "!! could not build the Pulumi CLI"
  printf '\n0 passed, 1 failed\n'
  exit 1
fi
export PULUMI_BIN
printf '==> Pulumi CLI %s (%s), ready after %ss\n' "$("$PULUMI_BIN" version)" "$PULUMI_BIN" "$((SECONDS - started))"

passed=0
failed=0
status=0
if [[ -f policy/awsguard/package.json ]]; then
  if npm --prefix policy/awsguard ci --no-audit --no-fund >/dev/null; then passed=$((passed + 1)); else
    echo "!! npm ci in policy/awsguard failed"; failed=$((failed + 1)); status=1
  fi
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
npx mocha --timeout 0 'test/engine/cli/**/*.test.ts' "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
passed=$((passed + ${p:-0}))
failed=$((failed + ${f:-0}))
if [[ $code -ne 0 ]]; then
  status=1
  if [[ -z "$f" || "$f" == 0 ]]; then failed=$((failed + 1)); fi
fi
printf '\nengine check took %ss\n' "$((SECONDS - started))"
printf '%s passed, %s failed\n' "$passed" "$failed"
exit "$status"
