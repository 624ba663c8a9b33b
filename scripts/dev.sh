#!/usr/bin/env bash
# The project's two set-up commands, for a fresh machine:
#   bash scripts/dev.sh dashboard   # install, then open the dashboard on the bundled sample data
#   bash scripts/dev.sh test        # install (incl. Debian's chromium and poppler-utils for the tests and PostgreSQL
#                                   # for the history tests), ruff, lint-imports, all tests
set -euo pipefail
cd "$(dirname "$0")/.."

setup() {
    if [ ! -x .venv/bin/python ]; then
        python3 -m venv .venv
    fi
    .venv/bin/python -m pip install -q --disable-pip-version-check --upgrade pip
    .venv/bin/python -m pip install -q --disable-pip-version-check -e '.[test]'
}

ensure_chromium() {
    # Debian's chromium for the browser test, a CJK font so its screenshots (and the statement PDF)
    # show Chinese, and poppler-utils (pdftotext, pdftoppm, pdffonts) to check the statement PDF.
    if [ -x /usr/bin/chromium ] && command -v pdftotext >/dev/null && fc-list 2>/dev/null | grep -qi "wenquanyi\|wqy"; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q chromium fonts-wqy-microhei poppler-utils
}

ensure_postgresql() {
    # Debian's PostgreSQL server: the history tests start their own throwaway server from its binaries.
    if compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null; then
        return
    fi
    local sudo=""
    if [ "$(id -u)" != 0 ]; then sudo="sudo"; fi
    if ! { $sudo apt-get update -q && DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q postgresql; }; then
        echo "PostgreSQL could not be installed: the history tests will run on SQLite only (skipped on PostgreSQL)" >&2
    fi
}

case "${1:-}" in
    dashboard)
        setup
        exec .venv/bin/python -m streamlit run dashboard/app.py "${@:2}"
        ;;
    test)
        setup
        ensure_chromium
        ensure_postgresql
        .venv/bin/ruff check .
        .venv/bin/ruff format --check .
        .venv/bin/lint-imports
        .venv/bin/python -m pytest "${@:2}"
        ;;
    *)
        echo "usage: bash scripts/dev.sh dashboard|test" >&2
        exit 2
        ;;
esac
