#!/bin/sh
# Finds what sagetop needs to build and test, and installs what is missing.
# As root: "apt-get update" once, then "apt-get install -y ..." for the missing Debian packages.
# Otherwise: prints the exact command to run and stops (exit 1).
# Also checks for a Python 3 that can import moto and boto3 (the test and demo backend).
set -u

# pkg-config module -> Debian package
pkgs="
ncursesw:libncurses-dev
libcurl:libcurl4-openssl-dev
libcrypto:libssl-dev
sqlite3:libsqlite3-dev
libpcre2-8:libpcre2-dev
jansson:libjansson-dev
libarchive:libarchive-dev
libxml-2.0:libxml2-dev
zlib:zlib1g-dev
libzstd:libzstd-dev
criterion:libcriterion-dev
"
# command -> Debian package
tools="
cc:gcc
make:make
pkg-config:pkg-config
git:git
tmux:tmux
sqlite3:sqlite3
"

missing=""
have_pkgconfig=1
command -v pkg-config >/dev/null 2>&1 || have_pkgconfig=0
for pair in $tools; do
    cmd=${pair%%:*}; deb=${pair#*:}
    command -v "$cmd" >/dev/null 2>&1 || missing="$missing $deb"
done
for pair in $pkgs; do
    mod=${pair%%:*}; deb=${pair#*:}
    if [ $have_pkgconfig = 0 ] || ! pkg-config --exists "$mod" 2>/dev/null; then
        missing="$missing $deb"
    fi
done

if [ -n "$missing" ]; then
    if [ "$(id -u)" = 0 ]; then
        echo "deps: installing$missing"
        export DEBIAN_FRONTEND=noninteractive
        apt-get update -qq >/dev/null || { echo "deps: apt-get update failed" >&2; exit 1; }
        # shellcheck disable=SC2086
        apt-get install -y -qq --no-install-recommends $missing >/dev/null ||
            { echo "deps: apt-get install -y$missing failed" >&2; exit 1; }
    else
        echo "deps: missing Debian packages. Run:" >&2
        echo "    sudo apt-get update && sudo apt-get install -y$missing" >&2
        exit 1
    fi
fi

if ! py=$(scripts/find-python.sh 2>/dev/null); then
    echo "deps: no Python 3 with moto and boto3 found (tried \$PYTHON, python3 on PATH, pyenv). Run:" >&2
    echo "    pip install 'moto[server]' boto3" >&2
    exit 1
fi
exit 0
