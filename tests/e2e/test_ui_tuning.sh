#!/bin/bash
# The tuning views (issue 16) over the emulator's tuning jobs: `T` on the job list opens the
# tuning list, whose rows equal what the emulator holds (status, strategy, objective, trial
# counters of the limit, best trial; boto3 oracle); `/` filters in the job list's language
# (every term must hold, !regex, field comparisons), the sort keys and `:sort` reorder; Enter
# opens the tuning detail: its ranges, the trials table sorted by objective with the best
# starred and first, a column per tuned hyperparameter, values equal the emulator's; `:sort`
# and `o` re-sort the trials as the emulator's values order them; Enter on a trial opens it as
# a job; space marks trials and c compares them; the charts. Tab after `:sort ` / `:filter `
# completes each tuning view's own keys and fields; `:sort` / `:filter` where the view has none
# say so instead of acting on the job list.
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/ui_lib.sh"
export LANG=C.UTF-8 LC_ALL=C.UTF-8

emu_start --scenario empty --tuning --speed 10 || { not_ok "emulator starts"; finish; }
# the running tuning job starts no new trial: the screen and the oracle read the same numbers
emu_ctl tuning '{"hold": true}' >/dev/null || not_ok "emulator tuning control"
W=$TMPD/want
mkdir -p "$W"
"$PYTHON" "$SAGETOP_TOP/tests/integration/tuning_oracle.py" "$W" || not_ok "the oracle runs"
BAYES=hpo-distilbert-imdb-bayes
WARM=hpo-distilbert-imdb-warm
# a first sync fills the cache (the tuning item runs after the job list)
"$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL" tuning >/dev/null 2>&1 || not_ok "first sync"

tmux_start 160 45 env LANG=C.UTF-8 LC_ALL=C.UTF-8 TERM=xterm-256color \
    "$SAGETOP" --endpoint-url "$AWS_ENDPOINT_URL"
tmux_wait 'jobs \([1-9][0-9]*\)' 30 || finish
tmux_keys T
tmux_expect "T opens the tuning list" 'tuning \(4\)  sort: AGE' 10 || finish
s=$(tmux_screen)
# every tuning job's row: name status strategy objective done/run/fail/stop of max, best trial
while read -r name status strategy metric type done run fail stop max best; do
    dir=$([ "$type" = Maximize ] && echo max || echo min)
    if [ "$status" = InProgress ]; then
        # a running tuning job's counters move (its trials go on, held or not): name and shape
        expect_match "$name: its row" "$s" "$name +InProgress +$strategy +$metric \\($dir\\) +[0-9]+/[0-9]+/[0-9]+/[0-9]+ of $max"
    else
        expect_match "$name: its row equals the emulator's" "$s" \
            "$name +$status +$strategy +$metric \\($dir\\) +$done/$run/$fail/$stop of $max +[-0-9.e]+ +${best:0:10}"
    fi
done <"$W/list"
tmux_keys / 'bayes' Enter
tmux_expect "/ filters by name" 'tuning \(1\)  sort: AGE.*filter: bayes' 5
tmux_keys Escape
tmux_expect "Esc clears the filter" 'tuning \(4\)  sort: AGE *$' 5
tmux_keys N
tmux_wait 'sort: NAME' 5
names=$(tmux_screen | sed -n '4,7p' | awk '{ print $1 }')
expect_eq "N sorts by name" "$names" "$(awk '{ print $1 }' "$W/list")"
tmux_keys N
tmux_expect "N again reverses" 'sort: NAME desc' 5
expect_eq "reversed" "$(tmux_screen | sed -n '4,7p' | awk '{ print $1 }')" "$(awk '{ print $1 }' "$W/list" | sort -r)"

# the job list's filter language: every term must hold, !regex, a field comparison
list_rows() { tmux_screen | sed -n '4,7p' | awk '$1 ~ /^hpo-/ { print $1 }'; }
want=$(awk '$1 ~ /hpo/ && $1 !~ /imdb/ && $3 != "Random" { print $1 }' "$W/list" | sort -r)
tmux_keys / 'hpo !imdb strategy!=random' Enter
tmux_expect "/: two name terms, a negation and a field" \
    "tuning \\($(grep -c . <<<"$want")\\)  sort: NAME desc  filter: hpo !imdb strategy!=random" 5
expect_eq "the rows every term holds for" "$(list_rows)" "$want"
want=$(awk '$1 ~ /imdb/ && $1 !~ /warm/ { print $1 }' "$W/list" | sort -r)
# the prompt opens with the filter as it is: Esc clears it first
tmux_keys Escape
tmux_wait 'tuning \(4\)  sort: NAME desc(  |$)' 5
tmux_keys / 'imdb !warm' Enter
tmux_expect "/: a name term and a negated one" 'tuning \([0-9]\)  sort: NAME desc  filter: imdb !warm' 5
expect_eq "imdb without warm" "$(list_rows)" "$want"
want=$(awk '$2 == "Completed" && $5 == "Minimize" { print $1 }' "$W/list" | sort -r)
tmux_keys Escape
tmux_wait 'tuning \(4\)  sort: NAME desc(  |$)' 5
tmux_keys / 'status=completed objective=eval_loss' Enter
tmux_expect "/: two field terms" 'filter: status=completed objective=eval_loss' 5
expect_eq "completed and minimizing eval_loss" "$(list_rows)" "$want"
# (the prompt opens with the filter: C-u clears the line)
tmux_keys / C-u 'best<abc' Enter
tmux_expect "/: a bad comparison is refused" "bad filter 'best<abc': best compares with a number" 5
expect_match "and the filter stays" "$(tmux_screen)" 'filter: status=completed objective=eval_loss'
tmux_keys Escape
tmux_wait 'tuning \(4\)  sort: NAME desc(  |$)' 5
# :sort as in the job list: the key, its arrow, the order; a bad key is refused
tmux_keys : 'sort strategy' Enter
tmux_expect ":sort strategy in the tuning list" 'tuning \(4\)  sort: STRATEGY(  |$)' 5
expect_eq ":sort strategy orders by strategy, then name" "$(list_rows)" \
    "$(sort -k3,3 -k1,1 "$W/list" | awk '{ print $1 }')"
expect_match "the arrow on STRATEGY" "$(tmux_screen | grep -E '^ +NAME ')" 'STRATEGY▲'
tmux_keys : 'sort bogus' Enter
tmux_expect ":sort bogus is refused with the keys" "unknown sort key 'bogus' \(age name status strategy" 5
expect_match ":sort bogus changes nothing" "$(tmux_screen)" 'tuning \(4\)  sort: STRATEGY(  |$)'
# Tab completes the tuning list's own sort keys and filter fields, not the job list's
tmux_keys : 'sort el' Tab
tmux_expect "Tab after :sort: a tuning list key" '^:sort elapsed ?$' 5
tmux_keys Enter
tmux_expect ":sort elapsed as completed" 'tuning \(4\)  sort: ELAPSED(  |$)' 5
tmux_keys : 'filter strat' Tab
tmux_expect "Tab after :filter: a tuning list field" '^:filter strategy$' 5
tmux_keys '=Bay' Tab
tmux_expect "Tab completes a strategy" '^:filter strategy=Bayesian ?$' 5
tmux_keys Enter
want=$(awk '$3 == "Bayesian"' "$W/list" | grep -c .)
tmux_expect ":filter strategy=Bayesian as completed" "tuning \($want\)  sort: ELAPSED  filter: strategy=Bayesian" 5
tmux_keys / C-u '!status=Comp' Tab
tmux_expect "/ completes too, a negated term" '^/!status=Completed ?$' 5
tmux_keys C-u Enter
tmux_wait 'tuning \(4\)  sort: ELAPSED(  |$)' 5
tmux_keys : 'sort age' Enter
tmux_wait 'tuning \(4\)  sort: AGE(  |$)' 5

# the detail of the Bayesian one: the trials by objective, the best first and starred
tmux_keys / "$BAYES" Enter
tmux_wait 'tuning \(1\)' 5
tmux_keys Enter
tmux_expect "Enter opens the tuning detail" "tuning: $BAYES  24 trials  sort: objective" 10 || finish
shot tuning_detail
s=$(tmux_screen)
read -r bname bval <"$W/best.$BAYES"
expect_match "the summary: best value and trial" "$s" "best $bval  $bname"
expect_match "ranges: learning_rate, logarithmic" "$s" 'learning_rate +continuous +[0-9.e-]+ \.\. [0-9.e-]+ +Logarithmic'
expect_match "the trials heading: a column per tuned hyperparameter" "$s" \
    'TRIAL +STATUS +eval_loss. +epochs +learning_rate +train_batch_size +TRAIN'
first=$(printf '%s\n' "$s" | grep -E '^ *\* ' | head -1)
expect_match "the best trial first, starred, its objective" "$first" "^ *\\* $bname +Completed +$bval "
# every trial with an objective: name, status, objective and tuned values as the emulator holds
rows=$(printf '%s\n' "$s" | awk -v n=$BAYES '$0 ~ n"-[0-9]" { sub(/^ *\* /, ""); print }')
bad=0 seen=0
while read -r tname tstatus tobj hps; do
    row=$(printf '%s\n' "$rows" | grep -E "^ *$tname " | head -1)
    [ -n "$row" ] || continue
    seen=$((seen + 1))
    vals=$(echo "$hps" | tr ',' '\n' | cut -d= -f2 | tr '\n' ' ')
    want="$tname $tstatus $tobj $vals"
    got=$(echo "$row" | awk '{ print $1, $2, $3, $4, $5, $6 }')
    [ "$got " = "$want" ] || { bad=$((bad + 1)); not_ok "trial row $tname" "got [$got ] want [$want]"; }
done <"$W/trials.$BAYES"
expect_eq "the trial rows on screen equal the emulator's" "$bad" "0"
[ "$seen" -ge 15 ] && ok "$seen trial rows compared" || not_ok "trial rows compared" "only $seen"

# :sort in the trials table: a hyperparameter column (numbers as numbers), its arrow; a bad key
trial_rows() { tmux_screen | awk -v n="$BAYES" '$0 ~ "^ +(\\* )?"n"-[0-9]" { sub(/^ *\* /, ""); sub(/^ */, ""); print }'; }
tmux_keys : 'sort hp.learning_rate' Enter
tmux_expect ":sort hp.learning_rate in the trials table" "tuning: $BAYES  24 trials  sort: hp.learning_rate" 5
expect_match "the arrow on learning_rate" "$(tmux_screen | grep -E '^ +TRIAL ')" 'learning_rate▲'
lr=$(trial_rows | awk '{ print $5 }')
expect_eq "the trials by learning_rate, ascending as numbers" "$lr" "$(sort -g <<<"$lr")"
expect_eq "every trial with a learning_rate" "$(grep -c . <<<"$lr")" \
    "$(grep -c 'learning_rate=' "$W/trials.$BAYES")"
tmux_keys : 'sort trial desc' Enter
tmux_expect ":sort trial desc" "tuning: $BAYES  24 trials  sort: trial desc" 5
expect_eq "the trials by name, descending" "$(trial_rows | awk '{ print $1 }')" \
    "$(awk '{ print $1 }' "$W/trials.$BAYES" | sort -r)"
tmux_keys : 'sort bogus' Enter
tmux_expect ":sort bogus is refused with the keys" "unknown sort key 'bogus' \(objective completion creation" 5
expect_match ":sort bogus changes nothing (the view stays)" "$(tmux_screen)" "tuning: $BAYES  24 trials  sort: trial desc"
# Tab after :sort completes the trials table's keys (its hyperparameters), then the order;
# :filter is refused here (the trials have no filter) instead of filtering the job list
tmux_keys : 'sort hp.lea' Tab
tmux_expect "Tab after :sort in the trials table: a tuned hyperparameter" '^:sort hp\.learning_rate ?$' 5
tmux_keys de Tab
tmux_expect "then the order" '^:sort hp\.learning_rate desc ?$' 5
tmux_keys Enter
tmux_expect ":sort hp.learning_rate desc as completed" "tuning: $BAYES  24 trials  sort: hp.learning_rate desc" 5
tmux_keys : 'sort compl' Tab
tmux_expect "Tab: a sort key of the trials" '^:sort completion ?$' 5
tmux_keys C-u 'filter st' Tab X
tmux_expect "nothing to complete after :filter in the trials table" '^:filter stX$' 5
tmux_keys C-u Enter : 'filter x' Enter
tmux_expect ":filter in the trials table says it has none" 'the trials table has no filter' 5
expect_match "and the trials stay as they were" "$(tmux_screen)" "tuning: $BAYES  24 trials  sort: hp.learning_rate desc"
# o: completion (end time, then creation), creation, back to objective; I inverts
"$PYTHON" - "$BAYES" >"$W/completion" <<'PY' || not_ok "completion order from the emulator"
import os, sys, boto3
sm = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
    HyperParameterTuningJobName=sys.argv[1])
ts = [t for p in pages for t in p["TrainingJobSummaries"]]
end = lambda t: t.get("TrainingEndTime")
ts.sort(key=lambda t: (end(t) is None, end(t) and end(t).timestamp(), t["CreationTime"].timestamp(),
                       t["TrainingJobName"]))
print("\n".join(t["TrainingJobName"] for t in ts))
PY
tmux_keys o
tmux_expect "o after :sort: objective" "tuning: $BAYES  24 trials  sort: objective(  |$)" 5
expect_match "the best first again" "$(trial_rows | head -1)" "^$bname "
tmux_keys o
tmux_expect "o: completion order" "sort: completion(  |$)" 5
expect_eq "the trials in completion order" "$(trial_rows | awk '{ print $1 }')" "$(cat "$W/completion")"
tmux_keys I
tmux_expect "I: completion desc" "sort: completion desc" 5
expect_eq "the newest finished first" "$(trial_rows | awk '{ print $1 }')" "$(tac "$W/completion")"
tmux_keys o
tmux_expect "o: creation order" "sort: creation(  |$)" 5
tmux_keys o
tmux_expect "o: objective again" "sort: objective(  |$)" 5
expect_match "the best first" "$(trial_rows | head -1)" "^$bname "

# a narrow terminal: hyperparameter columns drop by priority (› says so), names cut in the middle
ui_resize 72 45
s=$(tmux_screen)
expect_match "narrow: a column marker on the heading" "$(printf '%s\n' "$s" | grep -E '^ +TRIAL ')" '›$'
expect_match "narrow: the best trial's name cut in the middle, both ends kept" "$s" \
    "^ *\* hpo-[^ ]*…[^ ]*${bname: -8} +Completed +$bval"
ui_resize 160 45

# the charts: objective by completion order with the running best, then vs a hyperparameter
tmux_keys v
tmux_expect "v opens the charts" "tuning chart: $BAYES  by completion" 10 || finish
s=$(tmux_screen)
expect_match "titled as sagetop tuning plot" "$s" "$BAYES: eval_loss \\(Minimize\\) by completion order"
expect_match "the raw best under the chart" "$s" "best $bval  $bname"
tmux_keys h
tmux_expect "h: objective vs the first range" "$BAYES: eval_loss \\(Minimize\\) vs epochs" 5
tmux_keys h
tmux_expect "h again: learning_rate, log x said on the axis title" "vs log10 learning_rate" 5
shot tuning_scatter
tmux_keys m
tmux_expect "m: the top trials' curves" "tuning chart: $BAYES  top curves" 5
tmux_expect "the objective curves of the top 5" "eval_loss curves of the top 5 trials" 5
# :sort and :filter in the charts say they have none, rather than acting on the job list
tmux_keys : 'sort name' Enter
tmux_expect ":sort in the charts is refused" 'the tuning charts have no sort' 5
expect_match "the charts stay" "$(tmux_screen)" "tuning chart: $BAYES  top curves"
tmux_keys : 'filter x' Enter
tmux_expect ":filter in the charts is refused" 'the tuning charts have no filter' 5
expect_match "the charts still stay" "$(tmux_screen)" "tuning chart: $BAYES  top curves"
tmux_keys q
tmux_expect "q back to the detail" "tuning: $BAYES  24 trials" 5

# Enter on a trial opens it as any job; space marks trials, c compares them
tmux_keys g Enter
tmux_expect "Enter on the best trial opens the job detail" "detail: $bname" 10
tmux_keys q
tmux_wait "tuning: $BAYES  24 trials" 5
# the second best: the first row without the star (before the marks take the first column)
second=$(tmux_screen | grep -E "^ +$BAYES-" | head -1 | awk '{ print $1 }')
tmux_keys g Space Space
tmux_expect "space marks (the title counts them)" "tuning: $BAYES  24 trials  sort: objective  marked: 2" 5
tmux_keys c
tmux_expect "c compares the marked trials" "compare: 2 jobs" 10
s=$(tmux_screen)
expect_match "the best trial is compared (its name as the compare header cuts it)" "$s" "${bname:0:32}"
expect_match "and the second best" "$s" "${second:0:32}"
tmux_keys q
tmux_wait "tuning: $BAYES  24 trials" 5
tmux_keys q
tmux_wait 'tuning \(1\)' 5
tmux_keys Escape
tmux_wait 'tuning \(4\)' 5

# warm start: the parent is named and w opens it
tmux_keys / "$WARM" Enter
tmux_wait 'tuning \(1\)' 5
tmux_keys Enter
tmux_expect "the warm-start child" "tuning: $WARM" 10
tmux_expect "its parent is named" "warm start \([A-Za-z]+\) from $BAYES" 5
tmux_keys w
tmux_expect "w opens the parent" "tuning: $BAYES  24 trials" 10
tmux_keys q q Escape
tmux_wait 'tuning \(4\)' 5

# live: the running tuning job's trials appear as the sync stores them (the hold released)
LIVE=hpo-emotion-random-live
tmux_keys / "$LIVE" Enter
tmux_wait 'tuning \(1\)' 5
tmux_keys Enter
tmux_expect "the running tuning job" "tuning: $LIVE  [0-9]+ trials" 10 || finish
n0=$(tmux_screen | sed -n "2s/.*tuning: $LIVE  \([0-9]*\) trials.*/\1/p")
# a Maximize objective sorts best first: the values fall, and the heading's arrow says so
expect_match "eval_accuracy (Maximize): the arrow points down" "$(tmux_screen | grep -E '^ +TRIAL ')" 'eval_accuracy▼'
objs=$(tmux_screen | awk -v n="$LIVE" '$0 ~ "^ +(\\* )?"n"-[0-9]" { sub(/^ *\* /, ""); if ($3 != "-") print $3 }')
[ "$(grep -c . <<<"$objs")" -ge 2 ] && ok "objectives to compare" || not_ok "objectives to compare" "[$objs]"
expect_eq "the objectives fall, best first" "$objs" "$(sort -gr <<<"$objs")"
emu_ctl tuning '{"hold": false}' >/dev/null || not_ok "emulator tuning control"
more_trials() { local n; n=$(tmux_screen | sed -n "2s/.*tuning: $LIVE  \([0-9]*\) trials.*/\1/p"); [ "${n:-0}" -gt "$n0" ]; }
wait_until "new trials of $LIVE appear without a key ($n0 before)" 60 more_trials &&
    ok "the detail follows the running tuning job"

# :tuning from the job list
tmux_keys q q
tmux_wait 'jobs \([0-9]+\)' 5
tmux_keys : tuning Enter
tmux_expect ":tuning opens the tuning list" 'tuning \(4\)' 5
render_pngs
finish
