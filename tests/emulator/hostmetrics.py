"""Per-host CloudWatch metrics for the demo's jobs (namespace /aws/sagemaker/TrainingJobs,
dimension Host = "JOB/algo-N"), published into moto's CloudWatch with PutMetricData so that
GetMetricData and ListMetrics answer them as AWS would.

Shapes, one point a minute from TrainingStartTime to the end (or now for running jobs):
- a healthy job: GPU near 90 % per GPU, summed over the instance's GPUs (8 GPUs -> ~720),
- live-gpt2-wikitext: a data-loader stall: GPU busy for the first third, then near 0,
- CPU, memory, GPU memory and disk: plausible and slowly varying.
Deterministic for a seed. Runs once at start (the live jobs' later minutes are not added)."""
import datetime
import math
import random

NAMESPACE = "/aws/sagemaker/TrainingJobs"
METRICS = ("CPUUtilization", "MemoryUtilization", "GPUUtilization", "GPUMemoryUtilization",
           "DiskUtilization")
STALL_JOB = "live-gpt2-wikitext"
GPUS = {"ml.p3.2xlarge": 1, "ml.g4dn.xlarge": 1, "ml.g5.xlarge": 1, "ml.g5.12xlarge": 4,
        "ml.p3.16xlarge": 8, "ml.p4d.24xlarge": 8}


def series(d, host, now, rng):
    """{metric: [(epoch_s, value)]} of one host of describe record d."""
    start = d.get("TrainingStartTime") or d.get("CreationTime")
    end = d.get("TrainingEndTime") or now
    gpus = GPUS.get(d["ResourceConfig"]["InstanceType"], 1)
    t0 = int(start // 60 * 60)
    out = {m: [] for m in METRICS}
    n = max(1, int((min(end, now) - t0) // 60) + 1)
    for i in range(n):
        ts = t0 + 60 * i
        busy = 88 + 6 * math.sin(i / 7.0 + host) + rng.uniform(-2, 2)
        if d["TrainingJobName"] == STALL_JOB and i >= n // 3:
            busy = rng.uniform(0.0, 2.0)      # the data loader stalled: GPUs wait
        out["GPUUtilization"].append((ts, round(busy * gpus, 2)))
        out["GPUMemoryUtilization"].append((ts, round((70 + rng.uniform(-1, 1)) * gpus, 2)))
        out["CPUUtilization"].append((ts, round(35 + 10 * math.sin(i / 5.0) + rng.uniform(0, 3), 2)))
        out["MemoryUtilization"].append((ts, round(40 + min(i, 30) * 0.5, 2)))
        out["DiskUtilization"].append((ts, round(12 + i * 0.01, 2)))
    return out


def wanted(name):
    """The jobs that get host metrics: the live ones and one finished job, distilbert-imdb-lr5e5-ep1 (moto
    stores PutMetricData slowly: every demo job's history would add half a minute to the
    start)."""
    return name.startswith("live-") or name == "distilbert-imdb-lr5e5-ep1"


def publish(endpoint, key_id, secret, jobs, seed=0, now=None, only=wanted):
    """PutMetricData for every host of every job in jobs (store.Job records) that only(name)
    accepts (None: every one)."""
    import boto3
    from botocore.config import Config
    # moto 5.2.1 fails on botocore's gzip-compressed PutMetricData bodies: send them plain
    cw = boto3.client("cloudwatch", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=key_id, aws_secret_access_key=secret,
                      config=Config(disable_request_compression=True))
    now = now or datetime.datetime.now(datetime.timezone.utc).timestamp()
    rng = random.Random(seed)
    for j in jobs:
        d = j.d
        if only is not None and not only(d["TrainingJobName"]):
            continue
        if d.get("TrainingStartTime") is None and d.get("CreationTime") is None:
            continue
        for h in range(1, int(d["ResourceConfig"].get("InstanceCount", 1)) + 1):
            dim = [{"Name": "Host", "Value": "%s/algo-%d" % (d["TrainingJobName"], h)}]
            batch = []
            for metric, pts in series(d, h, now, rng).items():
                for ts, v in pts:
                    batch.append({"MetricName": metric, "Dimensions": dim, "Value": v,
                                  "Timestamp": datetime.datetime.fromtimestamp(ts, datetime.timezone.utc),
                                  "Unit": "Percent"})
            for k in range(0, len(batch), 1000):
                cw.put_metric_data(Namespace=NAMESPACE, MetricData=batch[k:k + 1000])
