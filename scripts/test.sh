#!/usr/bin/env bash
# The project's one test command (README "Quick start"; CI runs it through .ci/run).
# On a fresh Debian/Ubuntu machine it installs what the tests need (npm packages, the portal's
# packages, Chromium, R and the Shiny packages, the Python templates' virtual environments,
# hadolint), type-checks, and runs every test suite offline. It ends with one line
# `N passed, M failed` summed over all suites, and exits non-zero if anything failed.
set -uo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT" || exit 1
LOG_DIR="$(mktemp -d)"
trap 'rm -rf "$LOG_DIR"' EXIT

passed=0
failed=0
status=0

# shellcheck disable=SC1091  # scripts/lib/counted.sh is linted on its own
source "$ROOT/scripts/lib/counted.sh"

if ! run_check "install npm packages" npm ci --no-audit --no-fund; then
  printf '%s passed, %s failed\n' "$passed" "$failed"
  exit 1
fi
run_check "install portal packages" npm --prefix apps/portal ci --no-audit --no-fund
run_check "install app test prerequisites (apt, Python venvs, hadolint)" bash scripts/setup-app-tests.sh
run_check "type-check the program (tsc --strict)" npm run --silent build
run_check "type-check the portal" npm --prefix apps/portal run --silent typecheck

# Here every prerequisite has been installed: a test that needs a missing one fails instead of
# being skipped (test/prerequisites.ts), and run_mocha counts any skipped test as failed.
export DASHBOARDS_REQUIRE_APP_PREREQUISITES=1
run_mocha "program, components, functions and app templates (mocha)" npm test --silent
run_mocha "portal (mocha)" npm --prefix apps/portal test --silent

printf '\n%s passed, %s failed\n' "$passed" "$failed"
exit "$status"
