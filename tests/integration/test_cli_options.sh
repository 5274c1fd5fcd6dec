#!/bin/bash
# The AWS CLI's conventions on the command line, against the emulator: global options work
# anywhere on the line (`sagetop jobs --region X`, `sagetop logs JOB --offline`,
# `sagetop show JOB --profile p`), an unknown option is named as such, a job that is not there
# exits 1 in every command, and a closed pipe on stdout ends quietly.
source "$SAGETOP_TOP/tests/lib.sh"

emu_start --scenario demo || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
# run ARGS...: runs sagetop with stdout/stderr to files, sets rc, out, err
run() {
    "$SAGETOP" "$@" >"$TMPD/out" 2>"$TMPD/err"
    rc=$?
    out=$(cat "$TMPD/out")
    err=$(cat "$TMPD/err")
}

F=$(S jobs --status Failed --format csv | sed -n 2p | cut -d, -f1)
expect_match "a failed job to look at" "$F" '.'

# --- global options after the command
run whoami --region eu-west-1
expect_eq "whoami --region: exit 0" "$rc" 0
expect_match "whoami --region: the region is used" "$out" 'Region: +eu-west-1'
run whoami --format text --region=eu-west-2
expect_match "whoami --region=VALUE after a command option" "$out" 'Region: +eu-west-2'

run jobs --region eu-west-1 --format csv
expect_eq "jobs --region: exit 0 ($err)" "$rc" 0
before=$(S jobs --format csv --region us-east-1 | cut -d, -f1 | sort)
after=$("$SAGETOP" --region us-east-1 --cache "$DB" jobs --format csv | cut -d, -f1 | sort)
expect_eq "jobs: --region after the command lists what it lists before" "$before" "$after"

# an explicit profile is used instead of the environment's keys (as botocore does): give it them
printf '[profile p]\nregion = eu-west-3\naws_access_key_id = %s\naws_secret_access_key = %s\n' \
    "$AWS_ACCESS_KEY_ID" "$AWS_SECRET_ACCESS_KEY" >"$TMPD/aws.cfg"
export AWS_CONFIG_FILE=$TMPD/aws.cfg
run whoami --profile p
expect_match "whoami --profile p: the profile is used" "$out" 'Profile: +p \(--profile\)'
run --cache "$DB" show "$F" --profile p --region us-east-1
expect_eq "show JOB --profile p: exit 0 ($err)" "$rc" 0
expect_match "show JOB --profile p: the job" "$out" "$F"
unset AWS_CONFIG_FILE

check "logs JOB (online, fills the cache)" S logs "$F" --timestamps >/dev/null
online=$(S logs "$F")
kill "$EMU_PID"; wait "$EMU_PID" 2>/dev/null
run logs "$F" --offline --cache "$DB"
expect_eq "logs JOB --offline --cache: exit 0 with the emulator gone ($err)" "$rc" 0
expect_eq "logs JOB --offline: the cached log" "$out" "$online"
run jobs --offline --cache "$DB" --format csv
expect_eq "jobs --offline after the command: exit 0 ($err)" "$rc" 0
expect_match "jobs --offline: the cached job" "$out" "$F"
run --offline --cache "$DB" logs "$F" --grep --offline
expect_eq "a command option's value that looks global stays its value (--grep --offline)" "$rc" 0

# --- what is not an option
run jobs --bogus
expect_eq "jobs --bogus: exit 2" "$rc" 2
expect_match "jobs --bogus: named as unknown" "$err" "unknown option '--bogus'"
expect_eq "jobs --bogus: not 'needs a value'" "$(printf '%s' "$err" | grep -c 'needs a value')" 0
run jobs --bogus=1
expect_match "jobs --bogus=1: named as unknown" "$err" "unknown option '--bogus=1'"
run show "$F" --region
expect_eq "show JOB --region (no value): exit 2" "$rc" 2
expect_match "show JOB --region (no value): says so" "$err" "--region needs a value"
run logs "$F" --nope --offline
expect_eq "logs --nope: exit 2" "$rc" 2
expect_match "logs --nope: named" "$err" "unknown option '--nope'"

# --- a job that is not there: exit 1 in every command
run --offline --cache "$DB" metrics no-such-job
expect_eq "metrics no-such-job: exit 1" "$rc" 1
expect_match "metrics no-such-job: says so" "$err" "no training job named no-such-job"
run --offline --cache "$DB" show no-such-job
expect_eq "show no-such-job --offline: exit 1 (as metrics)" "$rc" 1

# --- a closed pipe is not an error
emu_start --scenario empty || { not_ok "second emulator starts"; finish; }
emu_ctl quotas '{"enabled": false}' >/dev/null
emu_ctl jobs '{"count": 1500, "prefix": "pipe", "statuses": ["Completed"]}' >/dev/null
"$SAGETOP" --cache "$TMPD/pipe.db" jobs --format json >"$TMPD/all.json"
expect_match "1500 jobs as JSON, far over a pipe's 64 KiB" "$(wc -c <"$TMPD/all.json")" '^[0-9]{6,}$'
for fmt in json csv table; do
    first=$("$SAGETOP" --cache "$TMPD/pipe.db" --offline jobs --format $fmt 2>"$TMPD/err.$fmt" | head -1)
    rcs=("${PIPESTATUS[@]}")
    expect_match "jobs --format $fmt | head -1: the first line" "$first" '.'
    expect_eq "jobs --format $fmt | head -1: nothing on stderr" "$(cat "$TMPD/err.$fmt")" ""
    expect_eq "jobs --format $fmt | head -1: exit 0" "${rcs[0]}" 0
done
first=$("$SAGETOP" --cache "$TMPD/pipe.db" jobs --format json 2>"$TMPD/err.online" | head -c 10)
expect_eq "jobs --format json (online) | head -c 10: nothing on stderr" "$(cat "$TMPD/err.online")" ""


# --sort KEY and --filter COND (the cache's job-list language): bad input is a usage error
# (exit 2) naming what is wrong, and the cache is left as it was
sum0=$(md5sum <"$DB")
for bad in "--sort bogus|--sort takes name, created, status, .*hp.KEY or m.METRIC" \
           "--sort sys.gpu|--sort takes name" "--filter bogus|bad filter 'bogus': expected" \
           "--filter hp.:1|bad filter 'hp.:1': missing or too long key" \
           "--desc=1|--desc takes no value"; do
    args=${bad%%|*}
    # shellcheck disable=SC2086 # args is a word list
    out=$(S --offline jobs $args 2>&1); rc=$?
    expect_eq "jobs $args: exit 2" "$rc" 2
    expect_match "jobs $args: says why" "$out" "^sagetop jobs: ${bad#*|}"
done
expect_eq "the refused options left the cache as it was" "$(md5sum <"$DB")" "$sum0"

finish
