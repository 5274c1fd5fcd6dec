#!/bin/sh
# Prints the path of a Python 3 that can import moto and boto3: $PYTHON, then python3 on PATH,
# then pyenv's interpreters. Exits 1 (printing nothing) when none can.
set -u
ok() { [ -n "$1" ] && [ -x "$1" ] && "$1" -c 'import moto, boto3, botocore' >/dev/null 2>&1; }
for c in "${PYTHON:-}" "$(command -v python3 2>/dev/null)"; do
    if ok "$c"; then echo "$c"; exit 0; fi
done
if command -v pyenv >/dev/null 2>&1; then
    c=$(pyenv which python3 2>/dev/null)
    if ok "$c"; then echo "$c"; exit 0; fi
fi
for c in "${PYENV_ROOT:-$HOME/.pyenv}"/versions/*/bin/python3 /root/.pyenv/versions/*/bin/python3; do
    if ok "$c"; then echo "$c"; exit 0; fi
done
exit 1
