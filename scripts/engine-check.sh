#!/usr/bin/env bash
# The real-engine check (README "Testing"): builds the Pulumi CLI once from the Go module proxy
# (cached outside the repo, see build-pulumi-cli.sh), puts the stand-ins from engine/bin (language
# host, test-double providers) on PATH, and runs test/engine/cli: config parity between the CLI and
# the offline plan, then stack init / preview with policy packs / up / preview --expect-no-changes /
# stack export / destroy for dev and prod, and the upgrade of a deployed dev and prod from the released
# layout (components at the top level) to DashboardPlatform, dev on office hours, and app folders of
# every kind (own Dockerfile, Shiny and Dash without one). Ends with
# `N passed, M failed`.
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
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT
# shellcheck disable=SC1091  # scripts/lib/counted.sh is linted on its own
source "$ROOT/scripts/lib/counted.sh"

if [[ -f policy/awsguard/package.json ]]; then
  run_check "install the AWSGuard policy pack" npm --prefix policy/awsguard ci --no-audit --no-fund --silent
fi
run_mocha "real engine: config parity, policy packs, dev and prod (mocha)" npx mocha --timeout 0 'test/engine/cli/**/*.test.ts' "$@"
printf '\nengine check took %ss\n' "$((SECONDS - started))"
printf '%s passed, %s failed\n' "$passed" "$failed"
exit "$status"
