#!/usr/bin/env python3
"""Writes expected_*.json: the CreateHyperParameterTuningJob requests that the SageMaker Python
SDK's HyperparameterTuner(estimator, ...).fit() sends for four tuner shapes (a continuous log
range, integer ranges, categorical ranges under Grid, a warm start), for the estimator of the
training job in source_training_job.json re-launched (its request, a new training job name, the
same source tarball). test_tuning_launch.c compares sagetop's requests with these files.

This is an independent re-statement of the SDK's rules, written from its source and not from
sagetop's C code; each function names the SDK function whose rules it follows:
  aws/amazon-sagemaker-examples@ab7bc9d5eb0d1dc7db9d265b7ed7db2ee17d5613
    venv/lib/python3.7/site-packages/sagemaker/tuner.py and session.py (SDK 2.x, 2023)
  aws/sagemaker-python-sdk src/sagemaker/parameter.py@f0291e84ddff9f04277cc0ceb8ed8d4cf27da30a
  src/sagemaker/utils.py (name_from_base, sagemaker_timestamp, sagemaker_short_timestamp)
The SDK itself is not installed in this image (python3 -c 'import sagemaker' fails), so these
files are not produced by it; where it is installed, the same shapes could be generated with it.
Run `python3 gen_expected.py` from anywhere; it rewrites the expected files next to itself."""
import json
import os
import re
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NOW = 1765000000.25  # the clock of every request (test_tuning_launch.c uses the same)


# ---- utils.py ------------------------------------------------------------------------------
def long_timestamp(now):  # sagemaker_timestamp(): gmtime, then the first 3 decimals of repr()
    ms = repr(now).split(".")[1][:3]
    return time.strftime("%Y-%m-%d-%H-%M-%S-" + ms, time.gmtime(now))


def short_timestamp(now):  # sagemaker_short_timestamp(): "%y%m%d-%H%M" (UTC here)
    return time.strftime("%y%m%d-%H%M", time.gmtime(now))


def name_from_base(base, now, max_length=63, short=False):
    stamp = short_timestamp(now) if short else long_timestamp(now)
    return base[: max_length - len(stamp) - 1] + "-" + stamp


def base_name_from_image(image):
    m = re.match(r"^(.+/)?([^:/]+)(:[^:]+)?$", image)
    return m.group(2) if m else image


def base_from_name(name):
    m = re.match(r"^(.+)-(\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}-\d{3}|\d{6}-\d{4})", name)
    return m.group(1) if m else name


# ---- parameter.py --------------------------------------------------------------------------
class Continuous:
    kind = "Continuous"

    def __init__(self, lo, hi, scaling="Auto"):
        self.lo, self.hi, self.scaling = lo, hi, scaling

    def tuning_range(self, name, framework):  # ParameterRange.as_tuning_range: str() of each
        return {"Name": name, "MinValue": str(self.lo), "MaxValue": str(self.hi),
                "ScalingType": self.scaling}


class Integer(Continuous):
    kind = "Integer"


class Categorical:
    kind = "Categorical"

    def __init__(self, values):
        self.values = [str(v) for v in values]

    def tuning_range(self, name, framework):  # as_json_range for a Framework estimator
        vals = [json.dumps(v) for v in self.values] if framework else self.values
        return {"Name": name, "Values": vals}


# ---- The estimator: the source job's request under a new training job name ----------------
def estimator_from(describe, sets):
    hps = dict(describe["HyperParameters"])
    new_job = name_from_base(base_from_name(describe["TrainingJobName"]), NOW)
    hps["sagemaker_job_name"] = json.dumps(new_job)
    est = {
        "hyperparameters": hps,
        "image": describe["AlgorithmSpecification"]["TrainingImage"],
        "input_mode": describe["AlgorithmSpecification"].get("TrainingInputMode", "File"),
        "metric_definitions": describe["AlgorithmSpecification"].get("MetricDefinitions"),
        "role": describe["RoleArn"],
        "inputs": describe.get("InputDataConfig"),
        "output_path": describe["OutputDataConfig"]["S3OutputPath"],
        "output_kms_key": describe["OutputDataConfig"].get("KmsKeyId") or None,
        "instance_count": describe["ResourceConfig"]["InstanceCount"],
        "instance_type": describe["ResourceConfig"]["InstanceType"],
        "volume_size": describe["ResourceConfig"]["VolumeSizeInGB"],
        "volume_kms_key": describe["ResourceConfig"].get("VolumeKmsKeyId"),
        "max_run": describe["StoppingCondition"]["MaxRuntimeInSeconds"],
        "max_wait": describe["StoppingCondition"].get("MaxWaitTimeInSeconds"),
        "subnets": (describe.get("VpcConfig") or {}).get("Subnets"),
        "security_group_ids": (describe.get("VpcConfig") or {}).get("SecurityGroupIds"),
        "network_isolation": describe.get("EnableNetworkIsolation", False),
        "encrypt_traffic": describe.get("EnableInterContainerTrafficEncryption", False),
        "spot": describe.get("EnableManagedSpotTraining", False),
        "checkpoint_s3_uri": (describe.get("CheckpointConfig") or {}).get("S3Uri"),
        "checkpoint_local_path": (describe.get("CheckpointConfig") or {}).get("LocalPath"),
        "max_retry_attempts": (describe.get("RetryStrategy") or {}).get("MaximumRetryAttempts"),
        "environment": describe.get("Environment") or None,
        "tags": [],
    }
    for key, value in sets:
        if key == "instance_type":
            est["instance_type"] = value
        elif key.startswith("tag."):
            est["tags"].append({"Key": key[4:], "Value": value})
        else:
            raise ValueError(key)
    return est


# ---- tuner.py / session.py -----------------------------------------------------------------
def static_hyperparameters(est, ranges):  # _prepare_static_hyperparameters
    static = {k: str(v) for k, v in est["hyperparameters"].items() if k not in ranges}
    static["sagemaker_estimator_class_name"] = json.dumps("HuggingFace")
    static["sagemaker_estimator_module"] = json.dumps("sagemaker.huggingface.estimator")
    return static


def parameter_ranges(ranges):  # _prepare_parameter_ranges_for_tuning (HuggingFace: a Framework)
    out = {}
    for kind in ("Continuous", "Categorical", "Integer"):
        out[kind + "ParameterRanges"] = [r.tuning_range(n, True) for n, r in ranges.items()
                                         if r.kind == kind]
    return out


def tuning_config(t):  # _map_tuning_config
    cfg = {"Strategy": t["strategy"],
           "ResourceLimits": {"MaxNumberOfTrainingJobs": t["max_jobs"],
                              "MaxParallelTrainingJobs": t["max_parallel_jobs"]},
           "TrainingJobEarlyStoppingType": t["early_stopping_type"]}
    if t["max_jobs"] is None:  # Grid: the service works it out; None cannot go on the wire
        del cfg["ResourceLimits"]["MaxNumberOfTrainingJobs"]
    cfg["HyperParameterTuningJobObjective"] = {"Type": t["objective_type"],
                                               "MetricName": t["objective_metric_name"]}
    cfg["ParameterRanges"] = parameter_ranges(t["ranges"])
    return cfg


def training_definition(est, ranges):  # _prepare_training_config + _map_training_config
    output = {"S3OutputPath": est["output_path"]}  # _Job._prepare_output_config
    if est["output_kms_key"]:
        output["KmsKeyId"] = est["output_kms_key"]
    stop = {"MaxRuntimeInSeconds": est["max_run"]}  # _Job._prepare_stop_condition
    if est["max_wait"]:
        stop["MaxWaitTimeInSeconds"] = est["max_wait"]
    hpo = {}  # _TuningJob._prepare_hp_resource_config
    if est["volume_kms_key"] is not None:
        hpo["VolumeKmsKeyId"] = est["volume_kms_key"]
    hpo.update({"InstanceCount": est["instance_count"], "InstanceType": est["instance_type"],
                "VolumeSizeInGB": est["volume_size"]})
    d = {"StaticHyperParameters": static_hyperparameters(est, ranges), "RoleArn": est["role"],
         "OutputDataConfig": output, "StoppingCondition": stop,
         "HyperParameterTuningResourceConfig": hpo}
    algo = {"TrainingInputMode": est["input_mode"]}
    if est["metric_definitions"] is not None:
        algo["MetricDefinitions"] = est["metric_definitions"]
    algo["TrainingImage"] = est["image"]
    d["AlgorithmSpecification"] = algo
    if est["inputs"] is not None:
        d["InputDataConfig"] = est["inputs"]
    if est["subnets"]:  # vpc_utils.to_dict
        d["VpcConfig"] = {"Subnets": est["subnets"], "SecurityGroupIds": est["security_group_ids"]}
    if est["network_isolation"]:
        d["EnableNetworkIsolation"] = True
    if est["encrypt_traffic"]:
        d["EnableInterContainerTrafficEncryption"] = True
    if est["spot"]:
        d["EnableManagedSpotTraining"] = True
    if est["checkpoint_s3_uri"]:
        d["CheckpointConfig"] = {"S3Uri": est["checkpoint_s3_uri"]}
        if est["checkpoint_local_path"]:
            d["CheckpointConfig"]["LocalPath"] = est["checkpoint_local_path"]
    if est["max_retry_attempts"] is not None:
        d["RetryStrategy"] = {"MaximumRetryAttempts": est["max_retry_attempts"]}
    if est["environment"] is not None:
        d["Environment"] = est["environment"]
    return d


def tuning_request(est, t):  # _get_tuning_request
    name = t.get("name") or name_from_base(base_name_from_image(est["image"]), NOW, 32, True)
    req = {"HyperParameterTuningJobName": name, "HyperParameterTuningJobConfig": tuning_config(t),
           "TrainingJobDefinition": training_definition(est, t["ranges"])}
    if t.get("warm_start"):  # WarmStartConfig.to_input_req
        wtype, parents = t["warm_start"]
        req["WarmStartConfig"] = {"WarmStartType": wtype, "ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": p} for p in parents]}
    if est["tags"]:  # _prepare_tags_for_tuning: the estimator's tags
        req["Tags"] = est["tags"]
    return req


# The four shapes; the CLI words of each are in test_tuning_launch.c.
SHAPES = {
    "continuous_log": ([], {
        "ranges": {"learning_rate": Continuous(1e-5, 1e-4, "Logarithmic")},
        "objective_metric_name": "eval_loss", "objective_type": "Minimize",
        "strategy": "Bayesian", "max_jobs": 20, "max_parallel_jobs": 4,
        "early_stopping_type": "Off"}),
    "integer": ([("instance_type", "ml.g5.4xlarge")], {
        "ranges": {"epochs": Integer(1, 4), "train_batch_size": Integer(8, 64, "Logarithmic")},
        "objective_metric_name": "eval_accuracy", "objective_type": "Maximize",
        "strategy": "Random", "max_jobs": 8, "max_parallel_jobs": 2,
        "early_stopping_type": "Auto"}),
    "categorical": ([], {
        "ranges": {"optim": Categorical(["adamw_torch", "adafactor"]),
                   "train_batch_size": Categorical([16, 32])},
        "objective_metric_name": "eval_loss", "objective_type": "Minimize",
        "strategy": "Grid", "max_jobs": None, "max_parallel_jobs": 2,
        "early_stopping_type": "Off"}),
    "warm_start": ([("tag.team", "nlp")], {
        "name": "bert-imdb-hpo-3",
        "ranges": {"learning_rate": Continuous(1e-5, 5e-4), "epochs": Integer(2, 6)},
        "objective_metric_name": "eval_loss", "objective_type": "Minimize",
        "strategy": "Hyperband", "max_jobs": 30, "max_parallel_jobs": 5,
        "early_stopping_type": "Off",
        "warm_start": ("TransferLearning", ["bert-imdb-hpo-1", "bert-imdb-hpo-2"])}),
}


def main():
    with open(os.path.join(HERE, "source_training_job.json")) as f:
        describe = json.load(f)
    for shape, (sets, tuner) in SHAPES.items():
        req = tuning_request(estimator_from(describe, sets), tuner)
        with open(os.path.join(HERE, "expected_%s.json" % shape), "w") as f:
            json.dump(req, f, indent=1)
            f.write("\n")


if __name__ == "__main__":
    main()
