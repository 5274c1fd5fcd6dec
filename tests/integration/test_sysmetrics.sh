#!/bin/bash
# sagetop sysmetrics against the emulator's CloudWatch (--host-metrics): every host's points of
# every metric equal what boto3's GetMetricData reads from the same emulator (an independent
# reader), for a running multi-host multi-GPU job, a running job whose GPUs stalled and a
# finished job; the GPU share uses the instance's GPU count; plot draws sys. metrics; a second
# run of a finished job asks CloudWatch nothing more.
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario demo --no-quotas --host-metrics || { not_ok "emulator starts"; finish; }
DB=$TMPD/cache.db
S() { "$SAGETOP" --cache "$DB" "$@"; }

# oracle.py JOB HOSTS -> "host,metric,epoch,value" lines, sorted
cat >"$TMPD/oracle.py" <<'PY'
import datetime, os, sys
import boto3
job, hosts = sys.argv[1], int(sys.argv[2])
cw = boto3.client("cloudwatch", endpoint_url=os.environ["AWS_ENDPOINT_URL"])
metrics = ["CPUUtilization", "MemoryUtilization", "GPUUtilization", "GPUMemoryUtilization",
           "DiskUtilization"]
qs, keys = [], []
for h in range(1, hosts + 1):
    for m in metrics:
        qs.append({"Id": "q%d" % len(qs), "MetricStat": {"Metric": {
            "Namespace": "/aws/sagemaker/TrainingJobs", "MetricName": m,
            "Dimensions": [{"Name": "Host", "Value": "%s/algo-%d" % (job, h)}]},
            "Period": 60, "Stat": "Average"}})
        keys.append(("algo-%d" % h, m))
# CloudWatch answers periods counted from StartTime: start on a minute, as sagetop does
now = datetime.datetime.now(datetime.timezone.utc).replace(second=0, microsecond=0)
out, token = [], None
while True:
    kw = {"NextToken": token} if token else {}
    r = cw.get_metric_data(MetricDataQueries=qs, StartTime=now - datetime.timedelta(days=14),
                           EndTime=now + datetime.timedelta(minutes=5), **kw)
    for res in r["MetricDataResults"]:
        host, m = keys[int(res["Id"][1:])]
        for t, v in zip(res["Timestamps"], res["Values"]):
            out.append("%s,%s,%d,%.15g" % (host, m, int(t.timestamp()), v))
    token = r.get("NextToken")
    if not token:
        break
print("\n".join(sorted(out)))
PY

# ours.py: sagetop's CSV -> the same lines
cat >"$TMPD/ours.py" <<'PY'
import csv, datetime, sys
rows = list(csv.DictReader(sys.stdin))
out = []
for r in rows:
    t = datetime.datetime.strptime(r["time"], "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    out.append("%s,%s,%d,%.15g" % (r["host"], r["metric"], int(t.timestamp()), float(r["value"])))
print("\n".join(sorted(out)))
PY

for spec in live-bert-sst2-ddp:2 live-gpt2-wikitext:1 distilbert-imdb-lr5e5-ep1:1; do
    job=${spec%:*} hosts=${spec#*:}
    S sysmetrics "$job" --format csv >"$TMPD/$job.csv" 2>"$TMPD/$job.err"
    expect_eq "sysmetrics $job exits 0" "$?" 0
    pyrun "$TMPD/ours.py" <"$TMPD/$job.csv" >"$TMPD/$job.ours"
    pyrun "$TMPD/oracle.py" "$job" "$hosts" >"$TMPD/$job.oracle.all"
    # a running job gains a minute while the oracle runs after sagetop: compare up to the newest
    # minute sagetop fetched (every earlier point must be equal, none missing)
    last=$(awk -F, '$3 > m { m = $3 } END { print m + 0 }' "$TMPD/$job.ours")
    awk -F, -v last="$last" '$3 <= last' "$TMPD/$job.oracle.all" >"$TMPD/$job.oracle"
    n=$(wc -l <"$TMPD/$job.oracle")
    check "$job: CloudWatch has points ($n)" test "$n" -ge 5
    if cmp -s "$TMPD/$job.ours" "$TMPD/$job.oracle"; then ok "$job: every host and metric equals GetMetricData"
    else not_ok "$job: every host and metric equals GetMetricData" "$(diff "$TMPD/$job.ours" "$TMPD/$job.oracle" | head -8)"; fi
done
hosts=$(cut -d, -f1 "$TMPD/live-bert-sst2-ddp.ours" | sort -u | tr '\n' ' ')
expect_eq "both hosts of the DDP job" "$hosts" "algo-1 algo-2 "

# GPU share: ml.p3.16xlarge has 8 GPUs, the CloudWatch figure is summed over them
line=$(grep ',GPUUtilization,' "$TMPD/live-bert-sst2-ddp.csv" | head -1)
share=$(pyrun -c "import sys; f=sys.argv[1].split(','); print('%.6f' % (float(f[5]) / 8 - float(f[6])))" "$line")
expect_eq "GPU share = raw / 8 GPUs" "$share" "0.000000"
out=$(S --offline sysmetrics live-gpt2-wikitext --metric gpu)
expect_match "table names the GPU share of 4 GPUs" "$out" "GPUUtilization .*% of 4 GPUs"
out=$(S --offline sysmetrics live-bert-sst2-ddp --host algo-2 --format json)
expect_match "json: one host asked, one host given" "$out" '"host": "algo-2"'
check "json: no algo-1 in a --host algo-2 answer" bash -c "! grep -q algo-1 <<<'$out'"
out=$(S --offline plot live-gpt2-wikitext --metric sys.gpu --ascii --width 60 --height 10 2>&1)
expect_match "plot draws sys.gpu per host" "$out" "live-gpt2.*algo-1"
out=$(S --offline sysmetrics live-gpt2-wikitext --metric frobs 2>&1); rc=$?
expect_eq "an unknown host metric is a usage error" "$rc" 2

# a finished job is fetched once: the second run asks CloudWatch nothing
before=$(emu_ctl stats 2>/dev/null | pyrun -c "import json,sys; d=json.load(sys.stdin); print(sum(v for k,v in d['requests'].items() if 'GetMetricData' in k))" 2>/dev/null)
S sysmetrics distilbert-imdb-lr5e5-ep1 --format csv >/dev/null 2>&1
after=$(emu_ctl stats 2>/dev/null | pyrun -c "import json,sys; d=json.load(sys.stdin); print(sum(v for k,v in d['requests'].items() if 'GetMetricData' in k))" 2>/dev/null)
expect_eq "a finished job's metrics are not fetched again" "${after:-x}" "${before:-y}"
finish
