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

step() { printf '\n==> %s\n' "$*"; }

# run_check NAME CMD...: a check that counts as one test (type-checks, installs).
run_check() {
  local name="$1"
  shift
  step "$name"
  if "$@"; then
    passed=$((passed + 1))
  else
    printf '!! %s failed\n' "$name"
    failed=$((failed + 1))
    status=1
  fi
}

# run_mocha NAME CMD...: a mocha suite; its passing/failing counts are added to the totals.
run_mocha() {
  local name="$1" log
  shift
  log="$LOG_DIR/$(printf '%s' "$name" | tr -c 'a-z0-9' '_').log"
  step "$name"
  "$@" 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  local p f
  p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0}))
  if [[ $code -ne 0 ]]; then
    status=1
    # A suite that crashed before reporting still counts as a failure.
    if [[ -z "$f" || "$f" == 0 ]]; then failed=$((failed + 1)); fi
  fi
}

if ! run_check "install npm packages" npm ci --no-audit --no-fund; then
  printf '%s passed, %s failed\n' "$passed" "$failed"
  exit 1
fi
run_check "install portal packages" npm --prefix apps/portal ci --no-audit --no-fund
run_check "install app test prerequisites (apt, Python venvs, hadolint)" bash scripts/setup-app-tests.sh
run_check "type-check the program (tsc --strict)" npm run --silent build
run_check "type-check the portal" npm --prefix apps/portal run --silent typecheck

run_mocha "program, components, functions and app templates (mocha)" npm test --silent
run_mocha "portal (mocha)" npm --prefix apps/portal test --silent

printf '\n%s passed, %s failed\n' "$passed" "$failed"
exit "$status"
