"""The oracle of test_tuning.sh: what the emulator holds, asked through boto3 (every page).

    tuning_oracle.py DIR             writes, for every tuning job (python starts once):
      DIR/list          one line a tuning job, sorted by name:
                        name status strategy metric type done run fail stop max best
      DIR/trials.NAME   one line a trial, sorted by name:
                        name status objective|- k=v,k=v (tuned, sorted by key)
      DIR/best.NAME     BestTrainingJob's name and objective value
    tuning_oracle.py DIR NAME        only DIR/trials.NAME
"""
import os
import sys

import boto3

sm = boto3.client("sagemaker", endpoint_url=os.environ["AWS_ENDPOINT_URL"])


def tuning_jobs():
    pages = sm.get_paginator("list_hyper_parameter_tuning_jobs").paginate(
        PaginationConfig={"PageSize": 2})
    return [s for p in pages for s in p["HyperParameterTuningJobSummaries"]]


def trials(name):
    pages = sm.get_paginator("list_training_jobs_for_hyper_parameter_tuning_job").paginate(
        HyperParameterTuningJobName=name, PaginationConfig={"PageSize": 5})
    return [t for p in pages for t in p["TrainingJobSummaries"]]


def num(v):
    return "%.6g" % v


def trial_lines(name):
    out = []
    for t in sorted(trials(name), key=lambda t: t["TrainingJobName"]):
        m = t.get("FinalHyperParameterTuningJobObjectiveMetric")
        hp = ",".join("%s=%s" % kv for kv in sorted(t["TunedHyperParameters"].items()))
        out.append("%s %s %s %s\n" % (t["TrainingJobName"], t["TrainingJobStatus"],
                                      num(m["Value"]) if m else "-", hp))
    return "".join(out)


def main(out, only=None):
    if only is not None:
        with open(os.path.join(out, "trials." + only), "w") as f:
            f.write(trial_lines(only))
        return
    lines = []
    for s in sorted(tuning_jobs(), key=lambda s: s["HyperParameterTuningJobName"]):
        name = s["HyperParameterTuningJobName"]
        d = sm.describe_hyper_parameter_tuning_job(HyperParameterTuningJobName=name)
        c = d["TrainingJobStatusCounters"]
        cfg = d["HyperParameterTuningJobConfig"]
        o = cfg["HyperParameterTuningJobObjective"]
        b = d.get("BestTrainingJob")
        lines.append(" ".join(str(x) for x in (
            name, d["HyperParameterTuningJobStatus"], cfg["Strategy"], o["MetricName"],
            o["Type"], c["Completed"], c["InProgress"],
            c["RetryableError"] + c["NonRetryableError"], c["Stopped"],
            cfg["ResourceLimits"]["MaxNumberOfTrainingJobs"],
            b["TrainingJobName"] if b else "")) + "\n")
        with open(os.path.join(out, "trials." + name), "w") as f:
            f.write(trial_lines(name))
        if b:
            with open(os.path.join(out, "best." + name), "w") as f:
                f.write("%s %s\n" % (b["TrainingJobName"],
                                     num(b["FinalHyperParameterTuningJobObjectiveMetric"]["Value"])))
    with open(os.path.join(out, "list"), "w") as f:
        f.write("".join(lines))


if __name__ == "__main__":
    main(*sys.argv[1:])
