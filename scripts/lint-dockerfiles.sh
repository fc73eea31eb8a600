#!/usr/bin/env bash
# Lints every apps/*/Dockerfile with hadolint (from the tools venv made by
# scripts/setup-app-tests.sh, or hadolint on PATH); exits non-zero on any finding.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
HADOLINT="$ROOT/apps/.venv-tools/bin/hadolint"
if [[ ! -x "$HADOLINT" ]]; then
  HADOLINT="$(command -v hadolint || true)"
fi
if [[ -z "$HADOLINT" ]]; then
  echo "hadolint not found: run scripts/setup-app-tests.sh first" >&2
  exit 2
fi

status=0
shopt -s nullglob
dockerfiles=("$ROOT"/apps/*/Dockerfile)
if ((${#dockerfiles[@]} == 0)); then
  echo "no apps/*/Dockerfile found" >&2
  exit 2
fi
for dockerfile in "${dockerfiles[@]}"; do
  if "$HADOLINT" "$dockerfile"; then
    echo "ok   ${dockerfile#"$ROOT"/}"
  else
    echo "FAIL ${dockerfile#"$ROOT"/}"
    status=1
  fi
done
exit "$status"
