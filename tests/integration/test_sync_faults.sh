#!/bin/bash
# sync under stress: the logs of 60 jobs under 30% throttling and 10% 5xx with quotas on (nothing
# lost, nothing doubled against boto3's read), and clear errors for a read-only cache directory
# or an unwritable cache file.
source "$SAGETOP_TOP/tests/lib.sh"
source "$SAGETOP_TOP/tests/integration/sync_lib.sh"
LINES=400000
emu_start --scenario scale --jobs 60 --lines "$LINES" || { not_ok "emulator starts"; finish; }
J=scale-job-000000
want_lines "$J" >"$TMPD/want.txt"
expect_eq "boto3 reads the whole source log" "$(wc -l <"$TMPD/want.txt")" "$LINES"

# ---- 60 jobs (logs of all) under 30% throttling and 10% 5xx, quotas on
DB3=$TMPD/faults.db
emu_ctl faults '{"throttle": 0.3, "5xx": 0.1}' >/dev/null
S "$DB3" sync -q --all-logs >"$TMPD/f.out" 2>&1; rc=$?
expect_eq "faults: sync of every job's logs exits 0" "$rc" "0"
[ "$rc" = 0 ] || echo "# $(grep -v throttled "$TMPD/f.out" | head -3)"
expect_eq "faults: every job cached" "$(sqlite3 "$DB3" 'select count(*) from jobs')" "60"
faults=$(emu_ctl stats | pyrun -c 'import json,sys; d=json.load(sys.stdin); print(sum(d["faults"].values()))')
if [ "${faults:-0}" -gt 10 ]; then ok "faults: the emulator injected $faults faults"; else not_ok "faults were injected" "$faults"; fi
emu_ctl reset '{}' >/dev/null
same_lines "faults: nothing lost, nothing doubled" "$DB3" "$J"

# ---- permissions: a read-only directory, an unwritable file (checked as an unprivileged user)
RO=$(mktemp -d /tmp/sagetop-ro.XXXXXX)
chmod 755 "$RO"
cp "$DB3" "$RO/cache.db"; rm -f "$DB3-wal" "$DB3-shm"
chmod 644 "$RO/cache.db"
as_user() {
    if [ "$(id -u)" = 0 ]; then
        HOME=$RO XDG_CACHE_HOME=$RO XDG_CONFIG_HOME=$RO setpriv --reuid=65534 --regid=65534 --clear-groups -- "$@"
    else
        "$@"
    fi
}
if [ "$(id -u)" != 0 ]; then chmod 555 "$RO"; chmod 444 "$RO/cache.db"; fi
out=$(as_user "$SAGETOP" --cache "$RO/sub/cache.db" sync -q 2>&1); rc=$?
[ "$rc" != 0 ] && expect_match "read-only directory: clear error" "$out" "cannot create .*(Permission denied|Read-only)" \
    || not_ok "read-only directory: fails" "rc=$rc $out"
sum=$(md5sum <"$RO/cache.db")
out=$(as_user "$SAGETOP" --cache "$RO/cache.db" sync -q 2>&1); rc=$?
[ "$rc" != 0 ] && expect_match "unwritable cache file: clear error" "$out" "read-only|Permission denied|cannot" \
    || not_ok "unwritable cache file: fails" "rc=$rc $out"
expect_eq "unwritable cache file: untouched" "$(md5sum <"$RO/cache.db")" "$sum"
chmod -R u+w "$RO"; rm -rf "$RO"

finish
