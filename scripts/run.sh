#!/bin/bash
# make run: starts sagetop against AWS when credentials are configured, otherwise against the
# local demo emulator (tests/emulator, moto + our scenario layer) with a visible DEMO marker.
# The emulator is stopped by pid when sagetop exits. Extra arguments go to sagetop.
set -u
cd "$(dirname "$0")/.."
bin=./sagetop

has_credentials() {
    [ -n "${AWS_ACCESS_KEY_ID:-}" ] && return 0
    [ -n "${AWS_PROFILE:-}${AWS_DEFAULT_PROFILE:-}" ] && return 0
    [ -n "${AWS_CONTAINER_CREDENTIALS_RELATIVE_URI:-}${AWS_CONTAINER_CREDENTIALS_FULL_URI:-}" ] && return 0
    [ -n "${AWS_WEB_IDENTITY_TOKEN_FILE:-}" ] && return 0
    local f
    for f in "${AWS_SHARED_CREDENTIALS_FILE:-$HOME/.aws/credentials}" "${AWS_CONFIG_FILE:-$HOME/.aws/config}"; do
        [ -s "$f" ] && grep -Eq '^[[:space:]]*(aws_access_key_id|credential_process|role_arn|sso_session|sso_start_url)[[:space:]]*=' "$f" && return 0
    done
    return 1
}

if [ -z "${SAGETOP_DEMO:-}" ] && has_credentials; then
    exec "$bin" "$@"
fi

py=$(scripts/find-python.sh) || {
    echo "make run: no AWS credentials configured, and no Python with moto for the demo." >&2
    echo "    pip install 'moto[server]' boto3    (or configure AWS credentials)" >&2
    exit 1
}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/sagetop-demo.XXXXXX")
"$py" tests/emulator/emulator.py --port 0 --scenario demo >"$tmp/env" 2>"$tmp/emulator.log" &
emu=$!
cleanup() { kill "$emu" 2>/dev/null; wait "$emu" 2>/dev/null; rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT TERM
echo "make run: no AWS credentials configured; starting the local demo backend..." >&2
for _ in $(seq 1 600); do
    grep -q '^READY' "$tmp/env" && break
    kill -0 "$emu" 2>/dev/null || { echo "make run: the demo emulator failed:" >&2; tail -20 "$tmp/emulator.log" >&2; exit 1; }
    sleep 0.1
done
grep -q '^READY' "$tmp/env" || { echo "make run: the demo emulator did not start in 60 s" >&2; exit 1; }
while IFS= read -r line; do
    case $line in [A-Z_]*=*) export "${line?}" ;; esac
done <"$tmp/env"
unset AWS_PROFILE AWS_DEFAULT_PROFILE AWS_SESSION_TOKEN
export SAGETOP_DEMO=1
"$bin" --cache "$tmp/demo-cache.db" "$@"
