#!/usr/bin/env bash
# Installs everything test/apps/ needs on a fresh Debian (or Debian-based) machine:
# Debian packages (Chromium for the browser tests, R with the Shiny template's packages),
# one virtual environment per Python template from its pinned requirements, and hadolint.
# Idempotent: apt runs only when a package is missing, a venv is rebuilt only when its
# requirements change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PYTHON_APPS=(flask dash streamlit)
APT_PACKAGES=(
  chromium fonts-dejavu-core
  r-base-core r-cran-shiny r-cran-plotly r-cran-glmnet
  r-cran-openssl r-cran-curl r-cran-jsonlite
)

SUDO=()
if [[ "$(id -u)" -ne 0 ]]; then
  SUDO=(sudo)
fi

log() { printf '[setup-app-tests] %s\n' "$*"; }

missing_packages() {
  local pkg
  for pkg in "$@"; do
    if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed'; then
      printf '%s\n' "$pkg"
    fi
  done
}

install_apt() {
  local missing
  mapfile -t missing < <(missing_packages "${APT_PACKAGES[@]}")
  if ((${#missing[@]} == 0)); then
    log "Debian packages already installed"
    return
  fi
  log "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# make_venv DIR REQUIREMENTS...: (re)creates DIR when the requirements' hash changed.
make_venv() {
  local dir="$1"
  shift
  local stamp="$dir/.requirements.sha256" want
  want="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$dir is up to date"
    return
  fi
  log "creating $dir"
  rm -rf "$dir"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input -r "$1"
  printf '%s\n' "$want" >"$stamp"
}

install_apt

for app in "${PYTHON_APPS[@]}"; do
  make_venv "$ROOT/apps/$app/.venv" "$ROOT/apps/$app/requirements.txt" "$ROOT/apps/shared/python/requirements.txt"
done
make_venv "$ROOT/apps/.venv-tools" "$ROOT/scripts/requirements-tools.txt"

log "done"
