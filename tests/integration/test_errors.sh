#!/bin/bash
# How sagetop fails against the emulator (signature checking on): a wrong secret, injected
# throttling and 5xx (retried until it works), ExpiredToken, AccessDenied, no region, no
# credentials, a truncated response. Each gives exit 1 and one clear line on stderr; none
# crashes. Bad usage gives exit 2.
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario empty || { not_ok "emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null
out=$(emu_ctl jobs '{"count": 1234, "prefix": "err", "statuses": ["Completed", "Failed"]}')
expect_match "emulator made 1234 jobs" "$out" '"created": 1234'

# run_sagetop ARGS...: runs with stdout/stderr to files, sets rc, out, err
run_sagetop() { run_env -- "$@"; }
# run_env ENV-ARGS... -- ARGS...: the same under `env ENV-ARGS...` (-u NAME unsets)
run_env() {
    local pre=()
    while [ "$1" != -- ]; do pre+=("$1"); shift; done
    shift
    env "${pre[@]}" "$SAGETOP" "$@" >"$TMPD/out" 2>"$TMPD/err"
    rc=$?
    out=$(cat "$TMPD/out")
    err=$(cat "$TMPD/err")
}
no_crash() {
    # 1 is the error exit; 134/139 would be abort/segfault, 2 usage
    expect_eq "$1: exit 1, no crash" "$rc" 1
    expect_eq "$1: one line on stderr" "$(printf '%s\n' "$err" | grep -c .)" 1
    expect_match "$1: nothing on stdout" "$(printf '%s' "$out" | wc -c)" '^0$'
}

# --- a wrong secret: moto checks the signature
AWS_SECRET_ACCESS_KEY=wrong-secret-0000000000000000000000000 run_sagetop jobs
no_crash "wrong secret"
expect_match "wrong secret: InvalidSignatureException reason" "$err" \
    'InvalidSignatureException.*signature we calculated does not match'
expect_match "wrong secret: names the operation" "$err" 'ListTrainingJobs'
expect_match "wrong secret: never prints the secret" "$(printf '%s' "$err" | grep -c wrong-secret)" '^0$'

# --- 30 % throttling and 10 % 5xx with AWS_MAX_ATTEMPTS=10: the listing completes, exactly
# (five runs with the default attempts: test_errors_throttle.sh, apart so that the two scripts'
# back-off waits run side by side)
emu_ctl reset '{"stats": true}' >/dev/null
emu_ctl faults '{"throttle": 0.3, "5xx": 0.1}' >/dev/null
AWS_MAX_ATTEMPTS=10 run_sagetop jobs --format csv
expect_eq "throttled + 5xx, AWS_MAX_ATTEMPTS=10: exit 0" "$rc" 0
expect_eq "throttled + 5xx, AWS_MAX_ATTEMPTS=10: all 1234 jobs" "$(printf '%s\n' "$out" | tail -n +2 | grep -c .)" 1234
expect_eq "throttled + 5xx, AWS_MAX_ATTEMPTS=10: no duplicates" "$(printf '%s\n' "$out" | tail -n +2 | cut -d, -f1 | sort -u | wc -l)" 1234
emu_ctl reset '{}' >/dev/null

# --- always throttled: gives up with a clear message
emu_ctl faults '{"throttle": 1}' >/dev/null
t_start=$(date +%s)
AWS_MAX_ATTEMPTS=2 run_sagetop jobs
t_spent=$(( $(date +%s) - t_start ))
no_crash "always throttled"
expect_match "always throttled: says so" "$err" 'Throttl'
# the page is asked again for a bounded time (about 30 s of waiting), then it gives up
expect_match "always throttled: gives up within the bound (${t_spent} s)" "$t_spent" '^([0-9]|[1-3][0-9]|4[0-5])$'
emu_ctl reset '{}' >/dev/null

# --- ExpiredToken
emu_ctl faults '{"expired_token": 1}' >/dev/null
run_sagetop jobs
no_crash "expired token"
expect_match "expired token: code and advice" "$err" 'ExpiredToken.*expired'
emu_ctl reset '{}' >/dev/null

# --- AccessDenied
emu_ctl faults '{"access_denied": 1}' >/dev/null
run_sagetop jobs
no_crash "access denied"
expect_match "access denied: code" "$err" 'AccessDenied'
expect_match "access denied: who" "$err" 'not authorized'
emu_ctl reset '{}' >/dev/null

# --- truncated response body
emu_ctl faults '{"truncate": 1}' >/dev/null
run_sagetop jobs
no_crash "truncated response"
expect_match "truncated response: clear" "$err" 'ListTrainingJobs.*(transfer closed|truncated|malformed JSON at byte)'
run_sagetop whoami
no_crash "truncated STS response"
emu_ctl reset '{}' >/dev/null

# --- connection reset
emu_ctl faults '{"reset": 1}' >/dev/null
AWS_MAX_ATTEMPTS=2 run_sagetop jobs
no_crash "connection reset"
expect_match "connection reset: network error named" "$err" 'ListTrainingJobs'
emu_ctl reset '{}' >/dev/null

# --- no region
run_env -u AWS_REGION -u AWS_DEFAULT_REGION -- jobs
no_crash "no region"
expect_match "no region: how to set one" "$err" 'no region.*AWS_REGION.*--region'

# --- no credentials (no env keys, empty HOME, no IMDS)
run_env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true -- jobs
no_crash "no credentials"
expect_match "no credentials: what to do" "$err" 'no AWS credentials.*AWS_ACCESS_KEY_ID'
run_env -u AWS_ACCESS_KEY_ID -u AWS_SECRET_ACCESS_KEY AWS_EC2_METADATA_DISABLED=true -- whoami
no_crash "whoami without credentials"
expect_match "whoami without credentials: what to do" "$err" 'no AWS credentials'

# --- the emulator still answers normally afterwards
run_sagetop jobs --status Failed --format csv
expect_eq "after the faults: exit 0" "$rc" 0
expect_eq "after the faults: 617 Failed jobs" "$(printf '%s\n' "$out" | tail -n +2 | grep -c .)" 617
finish
