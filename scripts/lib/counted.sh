# shellcheck shell=bash
# shellcheck disable=SC2034  # passed, failed and status belong to the sourcing script
# Shared by scripts/test.sh and scripts/engine-check.sh (sourced): steps that count as tests, and
# mocha suites whose passing/failing counts add up to one closing `N passed, M failed`.
# The caller sets LOG_DIR (a scratch directory) and initialises passed, failed and status to 0.

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

# run_mocha NAME CMD...: a mocha suite; its passing/failing counts are added to the totals. A
# pending (skipped) test is not a pass: each one counts as failed, so a counted run skips nothing.
run_mocha() {
  local name="$1" log
  shift
  log="$LOG_DIR/$(printf '%s' "$name" | tr -c 'a-z0-9' '_').log"
  step "$name"
  "$@" 2>&1 | tee "$log"
  local code=${PIPESTATUS[0]}
  local p f s
  p=$(grep -Eo '^ *[0-9]+ passing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  f=$(grep -Eo '^ *[0-9]+ failing' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  s=$(grep -Eo '^ *[0-9]+ pending' "$log" | tail -1 | grep -Eo '[0-9]+' || true)
  passed=$((passed + ${p:-0}))
  failed=$((failed + ${f:-0} + ${s:-0}))
  if [[ ${s:-0} -gt 0 ]]; then
    printf '!! %s: %s tests skipped (pending), counted as failed\n' "$name" "$s"
    status=1
  fi
  if [[ $code -ne 0 ]]; then
    status=1
    # A suite that crashed before reporting still counts as a failure.
    if [[ -z "$f" || "$f" == 0 ]]; then failed=$((failed + 1)); fi
  fi
}
