#!/bin/bash
# The requests a sync spends, counted by the emulator per operation (issue 15, sections 2, 3):
# a fresh-cache `sync JOB` fetches every job with its tags through Search (100 a request), and
# describes or tags nothing one by one but maybe JOB itself (its log task may get there first); `logs JOB --follow` on a fresh
# cache fetches the job, then follows; `sync JOB --follow` describes only JOB; a followed quiet
# job costs at most 10 requests in 30 s (20 a minute); a followed live job shows a new line
# within 1 s (median of 7); a first sync of 2,000 more jobs takes a Search request per 100 jobs
# and no describe, and a warm `sagetop jobs` on that cache lists only what changed; the
# streams of a multi-host job are read concurrently, each page once (as many GetLogEvents as
# one worker sends).
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario demo || { not_ok "emulator starts"; finish; }
stat_of() { emu_ctl stats | pyrun -c "import json,sys; print(json.load(sys.stdin)['requests'].get('$1',0))"; }
now_us() { date +%s%6N; }     # (the script used an undefined _now_us: every latency read 0)
inflight_of() { emu_ctl stats | pyrun -c "import json,sys; print(json.load(sys.stdin).get('inflight_max',{}).get('$1',0))"; }
stats_all() { emu_ctl stats | pyrun -c "import json,sys; print(json.load(sys.stdin)['requests'])"; }
total() { emu_ctl stats | pyrun -c "import json,sys; print(sum(json.load(sys.stdin)['requests'].values()))"; }
fresh() { emu_ctl reset '{"stats":true}' >/dev/null; }

# the job names, from a first sync
"$SAGETOP" --cache "$TMPD/ref.db" sync -q || not_ok "reference sync"
N=$(sqlite3 "$TMPD/ref.db" "select count(*) from jobs")
C=$(sqlite3 "$TMPD/ref.db" "select name from jobs where status='Completed' order by creation_time desc limit 1")
L=$(sqlite3 "$TMPD/ref.db" "select name from jobs where status='InProgress' and secondary_status='Training' limit 1")
Q=$(sqlite3 "$TMPD/ref.db" "select name from jobs where status='Completed' order by creation_time desc limit 1 offset 1")
[ -n "$C" ] && [ -n "$L" ] && [ -n "$Q" ] || not_ok "the demo has a finished and a live job" "C=$C L=$L Q=$Q"

# fresh-cache sync of named jobs: every job and its tags through Search; JOB described at most
# once (by its log task, when it runs before the Search page that has it)
at_most() { [ "$2" -le "$3" ] && ok "$1 ($2 <= $3)" || not_ok "$1" "$2 > $3: $(stats_all)"; }
pages=$(((N + 99) / 100))
for J in "$C" "$L"; do
    fresh
    "$SAGETOP" --cache "$TMPD/named-$J.db" sync -q "$J" 2>"$TMPD/named.err"
    expect_eq "fresh sync $J: exit 0" "$?" "0"
    expect_eq "fresh sync $J: one Search per 100 jobs ($(stats_all))" "$(stat_of Search)" "$pages"
    at_most "fresh sync $J: describes" "$(stat_of DescribeTrainingJob)" 1
    at_most "fresh sync $J: ListTags" "$(stat_of ListTags)" 1
    expect_eq "fresh sync $J: every job described" \
        "$(sqlite3 "$TMPD/named-$J.db" "select count(*) from jobs where describe_json is not null")" "$N"
    expect_eq "fresh sync $J: every job's tags" \
        "$(sqlite3 "$TMPD/named-$J.db" "select count(distinct job_id) from tags")" "$N"
done

# a Search record lacks DescribeTrainingJob's RemoteDebugConfig, ProfilerRuleConfigurations, ...:
# the cache marks the document partial and `show --offline` says so; following the job (as the
# UI's detail view and re-launch form do) describes it once; `launch --from` describes it and
# its request carries the member
emu_ctl job "{\"name\": \"$C\", \"fields\": {\"RemoteDebugConfig\": {\"EnableRemoteDebug\": true}}}" >/dev/null
fresh
"$SAGETOP" --cache "$TMPD/part.db" sync -q 2>"$TMPD/part.err"
expect_eq "Search sync: exit 0" "$?" "0"
expect_eq "Search sync: no describe ($(stats_all))" "$(stat_of DescribeTrainingJob)" "0"
doc_has() { sqlite3 "$TMPD/part.db" "select count(*) from jobs where name='$C' and describe_json like '%RemoteDebugConfig%'"; }
expect_eq "Search sync: $C's document lacks RemoteDebugConfig" "$(doc_has)" "0"
expect_eq "Search sync: $C's document marked partial" \
    "$(sqlite3 "$TMPD/part.db" "select count(*) from state where key='partial_doc:$C'")" "1"
"$SAGETOP" --cache "$TMPD/part.db" --offline show "$C" >/dev/null 2>"$TMPD/part-show.err"
expect_eq "show --offline of a partial document: exit 0" "$?" "0"
expect_match "show --offline of a partial document: a note" "$(cat "$TMPD/part-show.err")" \
    "came from Search.*drop --offline"
"$SAGETOP" --cache "$TMPD/part.db" logs "$C" --follow >/dev/null 2>"$TMPD/part-follow.err" &
ppid_=$!
_pids+=("$ppid_")
wait_until "following $C describes its partial document" 20 sh -c "[ \"\$(sqlite3 '$TMPD/part.db' \"select count(*) from jobs where name='$C' and describe_json like '%RemoteDebugConfig%'\")\" = 1 ]"
kill "$ppid_" 2>/dev/null
wait "$ppid_" 2>/dev/null
expect_eq "following $C: described once ($(stats_all))" "$(stat_of DescribeTrainingJob)" "1"
expect_eq "following $C: no longer partial" \
    "$(sqlite3 "$TMPD/part.db" "select count(*) from state where key='partial_doc:$C'")" "0"
fresh
"$SAGETOP" --cache "$TMPD/part.db" launch --from "$C" --name "$C-again" --dry-run \
    >"$TMPD/part-launch.json" 2>"$TMPD/part-launch.err"
rc=$?
expect_eq "launch --from $C --dry-run: exit 0 ($(head -c 300 "$TMPD/part-launch.err"))" "$rc" "0"
expect_eq "launch --from $C: one describe" "$(stat_of DescribeTrainingJob)" "1"
expect_match "launch --from $C: the request keeps RemoteDebugConfig" \
    "$(cat "$TMPD/part-launch.json")" '"RemoteDebugConfig"'

# a finished multi-host job: its streams are read at the same time by the idle workers, and
# each page is fetched once (the same GetLogEvents count as one worker reading them in turn);
# from the reference cache (jobs known and described: the workers are free for the logs)
M=$(sqlite3 "$TMPD/ref.db" "select name from jobs where status='Completed' and instance_count>1 order by creation_time desc limit 1")
[ -n "$M" ] || not_ok "the demo has a finished multi-host job"
slow() { fresh; emu_ctl faults '{"slow_ms": 200, "ops": ["GetLogEvents"]}' >/dev/null; }
cp "$TMPD/ref.db" "$TMPD/one.db"
cp "$TMPD/ref.db" "$TMPD/multi.db"
slow
"$SAGETOP" --cache "$TMPD/one.db" sync -q --workers 1 "$M" 2>"$TMPD/one.err"
expect_eq "multi-host $M, one worker: exit 0" "$?" "0"
one=$(stat_of GetLogEvents)
expect_eq "one worker reads one stream at a time" "$(inflight_of GetLogEvents)" "1"
slow
"$SAGETOP" --cache "$TMPD/multi.db" sync -q --workers 4 "$M" 2>"$TMPD/multi.err"
expect_eq "multi-host $M, four workers: exit 0" "$?" "0"
conc=$(inflight_of GetLogEvents)
if [ "$conc" -ge 2 ]; then
    ok "the streams of $M are read concurrently ($conc GetLogEvents at once)"
else
    not_ok "the streams of $M are read concurrently" "at most $conc at once; $(stats_all)"
fi
expect_eq "concurrent streams: each page fetched once" "$(stat_of GetLogEvents)" "$one"
q="select group_concat(name||':'||n_events, ',') from (select name, n_events from log_streams order by name)"
expect_eq "concurrent streams: the same lines stored" "$(sqlite3 "$TMPD/multi.db" "$q")" \
    "$(sqlite3 "$TMPD/one.db" "$q")"
emu_ctl reset '{}' >/dev/null

# logs --follow on a fresh cache: the job is fetched, then followed
fresh
"$SAGETOP" --cache "$TMPD/follow.db" logs "$L" --follow >"$TMPD/follow.txt" 2>"$TMPD/follow.err" &
fpid=$!
_pids+=("$fpid")
if wait_for 20 test -s "$TMPD/follow.txt"; then
    ok "logs --follow on a fresh cache prints the job's log"
else
    not_ok "logs --follow on a fresh cache prints the job's log" "$(head -c 300 "$TMPD/follow.err")"
fi
# latency of a new line while the job is live: seven markers, the median under 1 s
lat=()
for i in 1 2 3 4 5 6 7; do
    emu_ctl logs "{\"job\": \"$L\", \"lines\": [\"latency-marker-$i\"]}" >/dev/null
    t0=$(now_us)     # the line is stored: from here it waits for sagetop alone
    WAIT_POLL=0.02 wait_for 10 grep -q "latency-marker-$i" "$TMPD/follow.txt"
    lat+=($((($(now_us) - t0) / 1000)))
    sleep "$((RANDOM % 3)).$((RANDOM % 10))"   # markers at any phase of the poll cycle
done
med=$(printf '%s\n' "${lat[@]}" | sort -n | sed -n 4p)
if [ "$med" -lt 1000 ]; then
    ok "a followed live job's new line shows within 1 s (median ${med} ms of ${lat[*]})"
else
    not_ok "a followed live job's new line shows within 1 s" "latencies ms: ${lat[*]}"
fi
kill "$fpid" 2>/dev/null
wait "$fpid" 2>/dev/null
expect_eq "logs --follow on a fresh cache: tags fetched once" "$(stat_of ListTags)" "1"
expect_eq "logs --follow on a fresh cache: nothing listed" "$(stat_of ListTrainingJobs)" "0"

# logs --follow of a job AWS does not know: AWS's answer, exit 1
"$SAGETOP" --cache "$TMPD/follow.db" logs no-such-job-here --follow >/dev/null 2>"$TMPD/nojob.err"
expect_eq "logs --follow of an unknown job fails" "$?" "1"
expect_match "logs --follow of an unknown job says why" "$(cat "$TMPD/nojob.err")" \
    "not found|does not exist|no job"

# sync JOB --follow describes JOB only (the rest of the account is listed, not described)
fresh
"$SAGETOP" --cache "$TMPD/sf.db" sync -q "$L" --follow 2>"$TMPD/sf.err" &
spid=$!
_pids+=("$spid")
wait_for 20 sh -c "sqlite3 '$TMPD/sf.db' 'select count(*) from log_streams where n_events>0' 2>/dev/null | grep -qv '^0$'"
sleep 2
kill "$spid" 2>/dev/null
wait "$spid" 2>/dev/null
at_most "sync JOB --follow: describes" "$(stat_of DescribeTrainingJob)" 1
at_most "sync JOB --follow: ListTags" "$(stat_of ListTags)" 1
expect_eq "sync JOB --follow: the job list is still fetched" "$(stat_of Search)" "$pages"
expect_eq "sync JOB --follow: then its newest page listed" "$(stat_of ListTrainingJobs)" "1"

# a followed quiet job (running, no new lines): at most 10 requests in a 30 s window
emu_ctl job "{\"name\": \"$Q\", \"status\": \"InProgress\"}" >/dev/null
"$SAGETOP" --cache "$TMPD/quiet.db" logs "$Q" --follow >"$TMPD/quiet.txt" 2>"$TMPD/quiet.err" &
qpid=$!
_pids+=("$qpid")
wait_until "the quiet job's log is printed" 20 test -s "$TMPD/quiet.txt"
fresh
sleep 30
n=$(total)
detail=$(stats_all)
kill "$qpid" 2>/dev/null
wait "$qpid" 2>/dev/null
if [ "$n" -ge 3 ] && [ "$n" -le 10 ]; then
    ok "a followed quiet job: $n requests in 30 s ($detail)"
else
    not_ok "a followed quiet job: 3 to 10 requests in 30 s" "$n requests: $detail"
fi

# a first sync of many jobs: 2,000 more (every 20th running), a Search request per 100 jobs,
# no describe and no ListTags one by one, every job described
emu_ctl jobs '{"count": 2000, "prefix": "bulk", "statuses": ["Completed","Failed","Stopped","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","Completed","InProgress"], "spacing_s": 1}' >/dev/null
fresh
"$SAGETOP" --cache "$TMPD/many.db" sync -q 2>"$TMPD/many.err"
expect_eq "first sync of $((N + 2000)) jobs: exit 0" "$?" "0"
all=$((N + 2000))
expect_eq "first sync of $all jobs: one Search per 100 ($(stats_all))" "$(stat_of Search)" "$(((all + 99) / 100))"
expect_eq "first sync of $all jobs: no describe one by one" "$(stat_of DescribeTrainingJob)" "0"
expect_eq "first sync of $all jobs: no ListTags one by one" "$(stat_of ListTags)" "0"
at_most "first sync of $all jobs: requests" "$(total)" $(((all + 99) / 100 + 3))
expect_eq "first sync of $all jobs: all described" \
    "$(sqlite3 "$TMPD/many.db" "select count(*) from jobs where describe_json is not null")" "$all"
# `sagetop jobs` on the cache that sync warmed: incremental (what changed since the sync
# began, on the server's clock measured from its Date headers, less a few seconds), one
# ListTrainingJobs request, not a re-listing of every page nor of 300 s of recent jobs
fresh
"$SAGETOP" --cache "$TMPD/many.db" jobs --format csv >"$TMPD/many-jobs.csv" 2>"$TMPD/many-jobs.err"
expect_eq "warm jobs after a sync: exit 0" "$?" "0"
expect_eq "warm jobs after a sync: every job listed" "$(($(wc -l <"$TMPD/many-jobs.csv") - 1))" "$all"
expect_eq "warm jobs after a sync of $all jobs (1 s apart): one ListTrainingJobs ($(stats_all))" \
    "$(stat_of ListTrainingJobs)" 1
at_most "warm jobs after a sync of $all jobs: requests (the account's identity and the listing)" \
    "$(total)" 2
# still exact: an old job changed after the sync is listed with its new state, in one request
old=$(sqlite3 "$TMPD/many.db" "select name from jobs where name like 'bulk-%' and status='Completed' order by creation_time limit 1")
emu_ctl job "{\"name\": \"$old\", \"status\": \"Stopped\"}" >/dev/null
fresh
expect_eq "warm jobs: $old, changed after the sync, is listed Stopped" \
    "$("$SAGETOP" --cache "$TMPD/many.db" jobs --name-contains "$old" --format csv | tail -n +2 | cut -d, -f2)" "Stopped"
expect_eq "warm jobs after a change: one ListTrainingJobs ($(stats_all))" "$(stat_of ListTrainingJobs)" 1
finish
