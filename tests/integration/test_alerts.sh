#!/bin/bash
# sagetop watch against the demo emulator (--host-metrics, --speed 40: the live jobs end within
# seconds): "ended" fires exactly once per watched job, the threshold `sys.gpu<10` fires on the
# job whose GPUs stalled and never on the healthy multi-GPU one, `m.eval_loss<0.2` on the job
# whose eval_loss ends at 0.18 and never on the one at 3.38, a restart fires nothing again,
# notify-command gets the alert as JSON on stdin and SAGETOP_ALERT_* variables, and its
# arguments with shell metacharacters reach it literally (no shell runs). The alert jobs
# (--alert-jobs): spot fires on the interrupted one (which resumes and completes); nonfinite on
# the nan job's loss, on its eval_loss (nan from the first point: no summary) and on a metric
# whose name, read from the log, holds $(...), ; and backticks, which reach notify-command
# literally and never a shell. `watch --all-running` follows the running jobs until each ended
# and exits 0; the stall rule fires once, on the spot job whose log is silent while Interrupted.
# On a terminal, watch rings and sends OSC 9 and OSC 777.
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario demo --no-quotas --host-metrics --alert-jobs --speed 40 || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }
STALL=live-gpt2-wikitext
DDP=live-bert-sst2-ddp

cat >"$TMPD/notify.sh" <<'SH'
#!/bin/sh
# one file per call: argv[1], the environment's alert, stdin
n=$(ls "$NOTIFY_DIR" | wc -l)
{ printf 'arg=%s\n' "$1"; printf 'job=%s rule=%s\n' "$SAGETOP_ALERT_JOB" "$SAGETOP_ALERT_RULE"
  printf 'message=%s\n' "$SAGETOP_ALERT_MESSAGE"; cat; } >"$NOTIFY_DIR/call-$n"
SH
chmod +x "$TMPD/notify.sh"
export NOTIFY_DIR=$TMPD/notify
mkdir -p "$NOTIFY_DIR" "$XDG_CONFIG_HOME/sagetop"
cat >"$XDG_CONFIG_HOME/sagetop/config" <<EOF2
[alerts]
stalled off
alert sys.gpu<10
alert m.eval_loss<0.2
notify-command $TMPD/notify.sh 'x \$(touch $TMPD/pwned); touch $TMPD/pwned2 | cat && \`id\`'
EOF2

cd "$TMPD" || exit 1
# --alert-jobs: a loss that went nan, a spot job Interrupted now (resumed later), watched in
# the background meanwhile with a cache and a config of their own (no notify-command; the spot
# job is Interrupted for ~20 s)
NAN=live-gpt2-nan
SPOT=live-bert-spot-interrupted
mkdir -p "$TMPD/config3/sagetop" "$TMPD/notify3"
printf '[alerts]\nstalled off\nnotify-command %s\n' "$TMPD/notify.sh" >"$TMPD/config3/sagetop/config"
NOTIFY_DIR=$TMPD/notify3 XDG_CONFIG_HOME=$TMPD/config3 timeout 120 "$SAGETOP" --cache "$TMPD/alertjobs.db" \
    watch "$NAN" "$SPOT" --interval 1 >"$TMPD/watch3.out" 2>"$TMPD/watch3.err" &
watch3=$!
# --all-running: the live jobs still running at its first job-list sync (the spot job runs
# ~27 s), every rule on, the stall after 15 s (the spot job writes no log line while
# Interrupted, ~23 s; the others log on)
mkdir -p "$TMPD/config5/sagetop"
printf '[alerts]\nstalled 15s\n' >"$TMPD/config5/sagetop/config"
XDG_CONFIG_HOME=$TMPD/config5 timeout 120 "$SAGETOP" --cache "$TMPD/running.db" \
    watch --all-running --interval 1 >"$TMPD/watch5.out" 2>"$TMPD/watch5.err" &
watch5=$!
timeout 120 "$SAGETOP" --cache "$DB" watch "$STALL" "$DDP" --interval 2 >"$TMPD/watch1.out" 2>"$TMPD/watch1.err"
expect_eq "watch exits 0 when every watched job has ended" "$?" 0
out=$(cat "$TMPD/watch1.out")
expect_eq "ended fires once on $STALL" "$(grep -c "^alert $STALL ended: $STALL: Completed" <<<"$out")" 1
expect_eq "ended fires once on $DDP" "$(grep -c "^alert $DDP ended: $DDP: Completed" <<<"$out")" 1
expect_eq "sys.gpu<10 fires once on the stalled job" "$(grep -c "^alert $STALL threshold: $STALL: sys.gpu<10" <<<"$out")" 1
expect_eq "sys.gpu<10 never fires on the healthy DDP job" "$(grep -c "^alert $DDP threshold: $DDP: sys" <<<"$out")" 0
expect_eq "m.eval_loss<0.2 fires once on the DDP job (0.18 at its end)" \
    "$(grep -c "^alert $DDP threshold: $DDP: m.eval_loss<0.2 (now 0.1[0-9]*)" <<<"$out")" 1
expect_eq "m.eval_loss<0.2 never fires on the job at 3.38" "$(grep -c "^alert $STALL threshold: $STALL: m\." <<<"$out")" 0
expect_eq "nothing else fires" "$(grep -c '^alert ' <<<"$out")" 4
check "no terminal escapes when stdout is not a terminal" bash -c "! grep -q $'\033' '$TMPD/watch1.out'"

calls=$(ls "$NOTIFY_DIR" | wc -l)
expect_eq "notify-command runs once per alert" "$calls" 4
first=$(cat "$NOTIFY_DIR/call-0")
expect_match "notify-command gets the arguments literally" "$first" 'arg=x \$\(touch .*/pwned\); touch .*/pwned2 \| cat && `id`'
check "no shell ran the metacharacters" bash -c "[ ! -e '$TMPD/pwned' ] && [ ! -e '$TMPD/pwned2' ]"
json=$(grep '^{' "$NOTIFY_DIR"/call-* | sed 's/^[^:]*://')
check "stdin is JSON with job, rule, key, message, time" pyrun -c '
import json, sys
for line in sys.argv[1].splitlines():
    d = json.loads(line)
    assert set(d) == {"job", "rule", "key", "message", "time"}, d
    assert d["job"] in ("'$STALL'", "'$DDP'"), d
' "$json"
expect_match "the environment names the job and rule" "$(cat "$NOTIFY_DIR"/call-*)" "job=$STALL rule=(ended|threshold)"

# a restart: the same alerts are in the cache, nothing fires again
S watch "$STALL" "$DDP" --once >"$TMPD/watch2.out" 2>"$TMPD/watch2.err"
expect_eq "the restarted watch exits 0" "$?" 0
expect_eq "a restart fires nothing again" "$(grep -c '^alert ' "$TMPD/watch2.out")" 0
expect_eq "and runs no notify-command" "$(ls "$NOTIFY_DIR" | wc -l)" 4
n=$(sqlite3 "$DB" "SELECT count(*) FROM alerts" 2>/dev/null || pyrun -c "import sqlite3,sys; print(sqlite3.connect(sys.argv[1]).execute('select count(*) from alerts').fetchone()[0])" "$DB")
expect_eq "four alerts stored" "$n" 4

# the alert jobs: each rule fires once on its job
wait "$watch3"
expect_eq "watch of the alert jobs exits 0" "$?" 0
out=$(cat "$TMPD/watch3.out")
expect_eq "spot fires once on the interrupted job" "$(grep -c "^alert $SPOT spot: $SPOT: spot capacity interrupted" <<<"$out")" 1
expect_eq "no spot alert on the nan job" "$(grep -c "^alert $NAN spot" <<<"$out")" 0
expect_eq "both end once" "$(grep -cE "^alert ($NAN|$SPOT) ended: [^ ]+ Completed" <<<"$out")" 2
expect_eq "nonfinite fires once on the loss that went nan" \
    "$(grep -c "^alert $NAN nonfinite: $NAN: loss became NaN" <<<"$out")" 1
expect_eq "and once on eval_loss, nan from its first point" \
    "$(grep -c "^alert $NAN nonfinite: $NAN: eval_loss became NaN" <<<"$out")" 1
META='eval_$(touch pwned-subst);`touch pwned-tick`'
expect_eq "and once on the metric named with shell metacharacters (from the log)" \
    "$(grep -cF "alert $NAN nonfinite: $NAN: $META became NaN" <<<"$out")" 1
expect_eq "no nonfinite alert on the spot job" "$(grep -c "^alert $SPOT nonfinite" <<<"$out")" 0
expect_eq "6 alerts in all" "$(grep -c '^alert ' <<<"$out")" 6
expect_eq "notify-command ran once per alert of the alert jobs" "$(ls "$TMPD/notify3" | wc -l)" 6
expect_eq "it got the metacharacters literally, in the environment and the JSON" \
    "$(grep -lF "message=$NAN: $META became NaN" "$TMPD"/notify3/call-* | wc -l)" 1
check "the JSON keeps them literally" pyrun -c '
import glob, json, sys
keys = [json.loads(l)["key"] for f in glob.glob(sys.argv[1] + "/call-*")
        for l in open(f) if l.startswith("{")]
assert keys.count(sys.argv[2]) == 1, keys
' "$TMPD/notify3" "$META"
check "no shell ran the log's metacharacters" \
    bash -c "[ ! -e '$TMPD/pwned-subst' ] && [ ! -e '$TMPD/pwned-tick' ]"
NOTIFY_DIR=$TMPD/notify3 XDG_CONFIG_HOME=$TMPD/config3 "$SAGETOP" --cache "$TMPD/alertjobs.db" \
    watch "$NAN" "$SPOT" --once >"$TMPD/watch4.out" 2>"$TMPD/watch4.err"
expect_eq "the restarted watch of the alert jobs exits 0" "$?" 0
expect_eq "and fires nothing again (not the NaN alert either)" "$(grep -c '^alert ' "$TMPD/watch4.out")" 0
expect_eq "nor runs notify-command again" "$(ls "$TMPD/notify3" | wc -l)" 6
expect_eq "the demo's other jobs had no nonfinite or spot alert" \
    "$(grep -cE '^alert [^ ]+ (nonfinite|spot)' "$TMPD/watch1.out")" 0
transitions=$(pyrun -c 'import sqlite3, sys
print(" ".join(r[0] for r in sqlite3.connect(sys.argv[1]).execute(
    "select t.status from transitions t join jobs j on j.id = t.job_id where j.name = ?"
    " order by t.idx", (sys.argv[2],))))' "$TMPD/alertjobs.db" "$SPOT")
expect_match "the spot job was interrupted, then resumed and completed" "$transitions" \
    'Interrupted Training .*Completed$'

# --all-running followed the running jobs until each ended, then exited 0
wait "$watch5"
expect_eq "watch --all-running exits 0 when every running job has ended" "$?" 0
out=$(cat "$TMPD/watch5.out")
# (the live jobs that ended before its first job-list sync are not running any more: not its)
n_jobs=$(grep -oE '^alert [^ ]+' <<<"$out" | sort -u | wc -l)
expect_eq "every job it followed ended exactly once, the spot job among them" \
    "$(grep -E '^alert [^ ]+ ended: ' <<<"$out" | cut -d' ' -f2 | sort -u | wc -l) $(grep -c ' ended: ' <<<"$out") $(grep -c "^alert $SPOT ended" <<<"$out")" \
    "$n_jobs $n_jobs 1"
expect_eq "stalled fires once, on the spot job (no log line while Interrupted)" \
    "$(grep -c '^alert [^ ]* stalled' <<<"$out") $(grep -c "^alert $SPOT stalled: $SPOT: no new log line" <<<"$out")" "1 1"
expect_eq "spot fires once; no threshold alert (none configured)" \
    "$(grep -c "^alert $SPOT spot" <<<"$out") $(grep -c '^alert [^ ]* threshold' <<<"$out")" "1 0"

# on a terminal: the bell, and the desktop notification as OSC 9 and OSC 777
pyrun -c 'import shutil, sqlite3, sys
shutil.copy(sys.argv[1], sys.argv[2])
db = sqlite3.connect(sys.argv[2]); db.execute("delete from alerts"); db.commit()' \
    "$DB" "$TMPD/tty.db"
tty_out=$(pyrun -c 'import os, pty, sys
pid, fd = pty.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
out = b""
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.waitpid(pid, 0)
sys.stdout.write(repr(out))' "$SAGETOP" --offline --cache "$TMPD/tty.db" watch "$DDP" --once)
want="alert $DDP ended: $DDP: Completed\\r\\n\\x07\\x1b]9;sagetop: $DDP: Completed\\x07"
want+="\\x1b]777;notify;sagetop;$DDP: Completed\\x07"
if [[ $tty_out == *"$want"* ]]; then ok "a terminal gets the bell and OSC 9 and 777 with the alert"
else not_ok "a terminal gets the bell and OSC 9 and 777 with the alert" "$tty_out"; fi

# a bad rule is reported with its line
printf '[alerts]\nalert gpu<10\n' >"$XDG_CONFIG_HOME/sagetop/config"
err=$(S --offline watch "$STALL" --once 2>&1); rc=$?
expect_eq "a bad alert line fails" "$rc" 1
expect_match "and names the line" "$err" "config line 2: alert 'gpu<10'"
finish
