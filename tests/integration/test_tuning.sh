#!/bin/bash
# sagetop tuning over the emulator's tuning jobs (issue 16: data and headless twins). The oracle
# is boto3 over the same emulator (tuning_oracle.py, every page): the tuning list, each tuning
# job's trials (every page: the emulator serves 7 a page here) and its best trial equal what
# it holds; a running tuning job's new trials are in the cache after one sync pass; a trial is a
# job (TUNING column) whose objective curve is extracted with the tuning job's definitions
# alone (the preset off); the CSV/JSON formats and the charts. One emulator for everything.
source "$SAGETOP_TOP/tests/lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8
emu_start --scenario empty --tuning --speed 10 || { not_ok "emulator starts"; finish; }
# the running tuning job starts nothing new until the live check below; 7 trials a page
emu_ctl tuning '{"hold": true, "page_cap": 7}' >/dev/null || not_ok "emulator tuning control"
W=$TMPD/want
mkdir -p "$W"
O() { pyrun "$SAGETOP_TOP/tests/integration/tuning_oracle.py" "$W" "$@"; }
BAYES=hpo-distilbert-imdb-bayes
LIVE=hpo-emotion-random-live
# a running tuning job's counters and best move between two reads: compared only when final
final_only() { awk '$2 == "InProgress" { $6 = $7 = $8 = $9 = $11 = "-" } { print }'; }

# the list: every tuning job with its counters and best trial, as the emulator holds them
"$SAGETOP" tuning --format csv >"$TMPD/list.csv" 2>"$TMPD/list.err"
expect_eq "tuning --format csv: exit 0 ($(head -c 300 "$TMPD/list.err"))" "$?" "0"
O
tail -n +2 "$TMPD/list.csv" | sort | awk -F, '{ print $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $13 }' \
    | final_only >"$TMPD/list.got"
expect_eq "tuning list equals the emulator's ($(wc -l <"$W/list") tuning jobs)" \
    "$(cat "$TMPD/list.got")" "$(final_only <"$W/list")"
expect_eq "four tuning jobs" "$(wc -l <"$W/list")" "4"

# trials of every finished tuning job, every page, with the best starred
for T in $BAYES hpo-distilbert-imdb-warm hpo-bert-sst2-hyperband; do
    "$SAGETOP" --offline tuning trials "$T" --format csv >"$TMPD/t.csv"
    # name status objective k=v,... (the emulator's ranges are named in alphabetical order,
    # which is the column order: epochs, learning_rate, train_batch_size)
    got=$(awk -F, 'NR == 1 { for (i = 7; i <= NF; i++) k[i] = $i; next }
        { hp = ""; for (i = 7; i <= NF; i++) if ($i != "") hp = hp (hp == "" ? "" : ",") k[i] "=" $i
          printf "%s %s %s %s\n", $2, $3, ($5 == "" ? "-" : sprintf("%.6g", $5)), hp }' \
        "$TMPD/t.csv" | sort)
    expect_eq "$T: trials equal the emulator's (all pages)" "$got" "$(cat "$W/trials.$T")"
    expect_eq "$T: the starred trial is the best" \
        "$(awk -F, '$1 == 1 { printf "%s %.6g\n", $2, $5 }' "$TMPD/t.csv")" "$(cat "$W/best.$T")"
done
expect_eq "$BAYES has 24 trials" "$(wc -l <"$W/trials.$BAYES")" "24"
out=$("$SAGETOP" --offline tuning trials $BAYES)
expect_match "trials table: the best first and starred" "$(echo "$out" | sed -n 2p)" \
    "^\* $(cut -d' ' -f1 "$W/best.$BAYES") +Completed +0\.[0-9]+ "
expect_match "trials table: a column per tuned hyperparameter" "$(echo "$out" | head -1)" \
    'TRIAL +STATUS +eval_loss +epochs +learning_rate +train_batch_size +TRAIN_S'
n=$("$SAGETOP" --offline tuning trials $BAYES --format json | pyrun -c '
import json, sys
d = json.load(sys.stdin)
print(len(d["Trials"]), d["ObjectiveType"], sum(t["Best"] for t in d["Trials"]))')
expect_eq "trials --format json: 24 trials, Minimize, one best" "$n" "24 Minimize 1"
expect_eq "trials --status failed" \
    "$("$SAGETOP" --offline tuning trials $BAYES --status failed --format csv | tail -n +2 | cut -d, -f2)" \
    "$(awk '$2 == "Failed" { print $1 }' "$W/trials.$BAYES")"

# the running one (held: no new trial, but its running trials go on): names and tuned values
"$SAGETOP" --offline tuning trials $LIVE --format csv | tail -n +2 | cut -d, -f2,7- | sort >"$TMPD/live0"
expect_eq "$LIVE: trials and their tuned values equal the emulator's" "$(cat "$TMPD/live0")" \
    "$(awk '{ n = split($4, kv, ","); v = ""; for (i = 1; i <= n; i++) { sub(/^[^=]*=/, "", kv[i]); v = v "," kv[i] } print $1 v }' "$W/trials.$LIVE")"

# show: ranges, limits, best, warm-start parent
out=$("$SAGETOP" --offline tuning show hpo-distilbert-imdb-warm)
expect_match "show: the logarithmic range" "$out" 'learning_rate +continuous +1e-05 \.\. 0\.001  Logarithmic'
expect_match "show: the categorical range" "$out" 'train_batch_size +categorical +\{16,32,64\}'
expect_match "show: the warm-start parent" "$out" "parent  $BAYES"
expect_match "show: the limits" "$out" 'Limits +6 jobs, 2 in parallel'
expect_match "show: the best" "$out" "Best +[0-9.]+  $(cut -d' ' -f1 "$W/best.hpo-distilbert-imdb-warm")"
out=$("$SAGETOP" --offline tuning show hpo-bert-sst2-hyperband)
expect_match "show: Hyperband" "$out" 'Strategy +Hyperband'
expect_match "show: the objective, maximized" "$out" 'Objective +eval_accuracy \(max\)'
"$SAGETOP" --offline tuning show no-such-tuning >/dev/null 2>"$TMPD/err"
expect_eq "show of an unknown tuning job: exit 1" "$?" "1"

# a running tuning job's new trials: in the cache after one pass
count() { emu_ctl tuning | pyrun -c "import json,sys; print(json.load(sys.stdin)['$LIVE']['trials'])"; }
n0=$(count)
before=$(cut -d' ' -f1 "$W/trials.$LIVE")
expect_eq "the held tuning job started nothing new" "$n0" "$(echo "$before" | wc -l)"
emu_ctl tuning '{"hold": false}' >/dev/null
more() { [ "$(count)" -gt "$n0" ]; }
WAIT_POLL=0.3 wait_until "the running tuning job starts a new trial" 60 more
"$SAGETOP" tuning trials $LIVE --format csv >"$TMPD/live.csv"
O $LIVE
got=$(tail -n +2 "$TMPD/live.csv" | cut -d, -f2 | sort)
expect_eq "one pass: every trial listed before it is in the cache" \
    "$(comm -23 <(echo "$before" | sort) <(echo "$got"))" ""
expect_eq "one pass: nothing the emulator does not hold" \
    "$(comm -13 <(cut -d' ' -f1 "$W/trials.$LIVE" | sort) <(echo "$got"))" ""
if [ "$(echo "$got" | wc -l)" -gt "$n0" ]; then
    ok "one pass: the new trials are in the cache ($(echo "$got" | wc -l) > $n0)"
else
    not_ok "one pass: the new trials are in the cache" "got $(echo "$got" | wc -l), before $n0"
fi

# a trial is a job: the TUNING column, and its objective curve from the tuning definitions
# (a 3-epoch trial: one eval_loss an epoch)
T1=$(awk '$2 == "Completed" && $4 ~ /epochs=3/ { print $1; exit }' "$W/trials.$BAYES")
expect_match "jobs: a trial shows its tuning job" "$("$SAGETOP" --offline jobs)" \
    "^$T1 .* $BAYES\$"
mkdir -p "$XDG_CONFIG_HOME/sagetop"
echo "metric-preset none" >"$XDG_CONFIG_HOME/sagetop/config"
"$SAGETOP" logs "$T1" >"$TMPD/t1.log" || not_ok "logs of a trial"
"$SAGETOP" --offline metrics "$T1" --metric eval_loss --format csv | tail -n +2 >"$TMPD/t1.csv"
expect_eq "a trial's eval_loss (only the tuning job defines it) ends at its objective" \
    "$(tail -1 "$TMPD/t1.csv" | awk -F, '{ printf "%.6g", $NF }')" \
    "$(awk -v t="$T1" '$1 == t { print $3 }' "$W/trials.$BAYES")"
expect_eq "a trial's objective curve has every eval of its log ($T1)" "$(wc -l <"$TMPD/t1.csv")" \
    "$(grep -c "'eval_loss'" "$TMPD/t1.log")"
expect_eq "three epochs, three evals" "$(wc -l <"$TMPD/t1.csv")" "3"

# charts
out=$("$SAGETOP" --offline tuning plot $BAYES --width 100 --height 14 --ascii)
expect_match "plot: titled by completion order" "$out" "^$BAYES: eval_loss \(Minimize\) by completion order"
expect_match "plot: x is the trials' completion order" "$out" ' trial$'
expect_match "plot: the best so far ends at the best" "$out" \
    "best so far +last $(cut -d' ' -f2 "$W/best.$BAYES") "
out=$("$SAGETOP" --offline tuning plot $BAYES --by learning_rate --width 100 --height 14 --ascii)
expect_match "plot --by a logarithmic range: log10 x" "$out" 'vs log10 learning_rate'
expect_match "plot --by: x is log10 of the 1e-05..0.001 values (ticks within -5..-3)" "$out" \
    '^ +-[345](\.[0-9]+)? +-[345](\.[0-9]+)? '
out=$("$SAGETOP" --offline tuning plot $BAYES --by learning_rate --width 160 --height 14 --ascii)
expect_match "plot --by: the x axis is named log10 learning_rate, not step" \
    "$(echo "$out" | head -1)" ' x: log10 learning_rate$'
"$SAGETOP" --offline tuning plot >/dev/null 2>&1
expect_eq "plot without a name: usage (exit 2)" "$?" "2"
finish
