#!/usr/bin/env bash
# Ouendan's two commands (see README):
#   ./dev.sh run    set everything up, build the demo site, run web + huey worker
#   ./dev.sh test   set everything up and run the whole test suite (extra args go to pytest)
set -euo pipefail
cd "$(dirname "$0")"

VENV=.venv
PYTHON_BIN=${PYTHON:-$(command -v python3.11 || command -v python3)}

log() { printf '\033[1;33m==> %s\033[0m\n' "$*"; }

# Debian packages: gettext (compiled translations), IPAex fonts (Japanese PDFs), and for tests
# chromium (browser journeys).
apt_install() {
    local missing=()
    for pkg in "$@"; do dpkg -s "$pkg" >/dev/null 2>&1 || missing+=("$pkg"); done
    [ ${#missing[@]} -eq 0 ] && return 0
    command -v apt-get >/dev/null || { echo "Please install: ${missing[*]}" >&2; exit 1; }
    local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
    log "Installing Debian packages: ${missing[*]}"
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

UV_VERSION=0.13.9   # uv installs the locked set (uv.lock) in seconds instead of pip's minutes

setup_python() {
    if [ ! -x "$VENV/bin/python" ]; then
        log "Creating virtual environment ($("$PYTHON_BIN" --version))"
        "$PYTHON_BIN" -m venv "$VENV"
    fi
    if ! "$VENV/bin/uv" --version 2>/dev/null | grep -q "$UV_VERSION"; then
        log "Installing uv $UV_VERSION"
        # A venv made by uv itself has no pip: bring Python's own in first.
        "$VENV/bin/python" -m pip --version >/dev/null 2>&1 || "$VENV/bin/python" -m ensurepip >/dev/null
        "$VENV/bin/python" -m pip install -q --disable-pip-version-check "uv==$UV_VERSION"
    fi
    # Exactly the locked versions (uv.lock), the project editable, with the test and dev extras;
    # a no-op in well under a second when nothing changed. Compiled to bytecode once here (as pip
    # does by default): with PYTHONDONTWRITEBYTECODE set, as on CI machines, every process would
    # otherwise compile Django and Wagtail again, about 3 of the 6 s each start-up takes.
    UV_PROJECT_ENVIRONMENT="$VENV" "$VENV/bin/uv" sync --frozen --all-extras --quiet --compile-bytecode
    export PATH="$PWD/$VENV/bin:$PATH"
}

setup_project() {
    # Every catalogue: ours (locale/) and the Japanese for Wagtail's gaps (site/wagtail_ja/), both
    # in LOCALE_PATHS, which compilemessages reads.
    python manage.py compilemessages --ignore "$VENV" -v 0
}

case "${1:-}" in
    run)
        apt_install gettext fonts-ipaexfont-gothic fonts-ipaexfont-mincho
        setup_python
        setup_project
        log "Migrating the database (SQLite in ./data) and building the demo site"
        python manage.py migrate --no-input -v 0
        python manage.py demo
        log "Starting web (http://127.0.0.1:${OUENDAN_PORT:-8000}/) and the huey worker; Ctrl+C stops both"
        exec honcho start -f Procfile.dev
        ;;
    test)
        shift
        apt_install gettext chromium fonts-noto-cjk fonts-ipaexfont-gothic fonts-ipaexfont-mincho
        setup_python
        setup_project
        # One worker per core (pytest-xdist), each test to whichever worker is free; the demo
        # tests stay together (tests/conftest.py), as each worker builds its own test database
        # and shared demo site. `-n 0` runs in this process.
        exec python -m pytest -n "${OUENDAN_TEST_WORKERS:-auto}" --dist loadgroup "$@"
        ;;
    *)
        echo "usage: ./dev.sh run | ./dev.sh test [pytest args]" >&2
        exit 2
        ;;
esac
