"""SageMaker training jobs: what moto lacks or gets wrong, as the scenario layer fixes it."""
import datetime
import time
import unittest

import botocore.exceptions

from harness import Emulator, error_code

MD = [{"Name": "eval_loss", "Regex": r"eval_loss.*=\D*(.*?)$"},
      {"Name": "learning_rate", "Regex": r"'learning_rate': ([0-9]+(.|e\-)[0-9]+),?"},
      {"Name": "eval_accuracy", "Regex": r"'eval_accuracy': ([0-9]+(.|e\-)[0-9]+),?"}]


def request(name, **over):
    r = {
        "TrainingJobName": name,
        "AlgorithmSpecification": {
            "TrainingImage": "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-"
                             "training:1.13.1-transformers4.26.0-gpu-py39-cu117-ubuntu20.04",
            "TrainingInputMode": "File", "MetricDefinitions": MD,
            "EnableSageMakerMetricsTimeSeries": True},
        "RoleArn": "arn:aws:iam::123456789012:role/SageMakerRole",
        "OutputDataConfig": {"S3OutputPath": "s3://sagemaker-us-east-1-123456789012/"},
        "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 2, "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "HyperParameters": {"epochs": "1", "learning_rate": "5e-05",
                            "model_name_or_path": '"distilbert-base-uncased"',
                            "sagemaker_program": '"train.py"'},
        "InputDataConfig": [{"ChannelName": "train", "DataSource": {"S3DataSource": {
            "S3DataType": "S3Prefix", "S3Uri": "s3://b/train",
            "S3DataDistributionType": "FullyReplicated"}}}],
        "Environment": {"TOKENIZERS_PARALLELISM": "false"},
    }
    r.update(over)
    return r


class SageMakerTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "empty", "--no-quotas", "--speed", "40")
        cls.sm = cls.emu.client("sagemaker")
        cls.logs = cls.emu.client("logs")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def wait_status(self, name, statuses, secs=20):
        end = time.time() + secs
        while time.time() < end:
            d = self.sm.describe_training_job(TrainingJobName=name)
            if d["TrainingJobStatus"] in statuses:
                return d
            time.sleep(0.2)
        self.fail("%s never reached %s (is %s)" % (name, statuses, d["TrainingJobStatus"]))

    def test_validation_message_shape(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.create_training_job(**request("bad_name!"))
        self.assertEqual(error_code(cm.exception), "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "1 validation error detected: Value 'bad_name!' at 'trainingJobName' "
                         "failed to satisfy constraint: Member must satisfy regular expression "
                         "pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}")

    def test_validation_several_errors(self):
        r = request("ok-name")
        r["ResourceConfig"] = {"InstanceType": "ml.bogus.xlarge", "InstanceCount": 1,
                               "VolumeSizeInGB": 30}
        r["StoppingCondition"] = {"MaxRuntimeInSeconds": 0}
        # botocore validates client-side too: send through a client with validation off
        import boto3
        from botocore.config import Config
        raw = boto3.client("sagemaker", endpoint_url=self.emu.endpoint, region_name="us-east-1",
                           aws_access_key_id=self.emu.env["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=self.emu.env["AWS_SECRET_ACCESS_KEY"],
                           config=Config(parameter_validation=False,
                                         retries={"total_max_attempts": 1}))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            raw.create_training_job(**r)
        msg = cm.exception.response["Error"]["Message"]
        self.assertTrue(msg.startswith("2 validation errors detected: "), msg)
        self.assertIn("Value 'ml.bogus.xlarge' at 'resourceConfig.instanceType' failed to satisfy "
                      "constraint: Member must satisfy enum value set: [", msg)
        self.assertIn("Value '0' at 'stoppingCondition.maxRuntimeInSeconds' failed to satisfy "
                      "constraint: Member must have value greater than or equal to 1", msg)
        r = request("ok-name")
        del r["RoleArn"]
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            raw.create_training_job(**r)
        self.assertIn("Value null at 'roleArn' failed to satisfy constraint: Member must not be "
                      "null", cm.exception.response["Error"]["Message"])
        with self.assertRaises(botocore.exceptions.ClientError):
            self.sm.describe_training_job(TrainingJobName="ok-name")  # nothing was created

    def test_create_keeps_metric_definitions_and_runs_a_life(self):
        name = "life-test-1"
        arn = self.sm.create_training_job(**request(name))["TrainingJobArn"]
        self.assertEqual(arn, "arn:aws:sagemaker:us-east-1:123456789012:training-job/" + name)
        d = self.sm.describe_training_job(TrainingJobName=name)
        self.assertEqual(d["TrainingJobStatus"], "InProgress")
        self.assertEqual(d["AlgorithmSpecification"]["MetricDefinitions"], MD)
        self.assertEqual(d["Environment"], {"TOKENIZERS_PARALLELISM": "false"})
        self.assertEqual(d["HyperParameters"]["learning_rate"], "5e-05")
        d = self.wait_status(name, ("Completed",), secs=30)
        seen = [t["Status"] for t in d["SecondaryStatusTransitions"]]
        self.assertEqual(seen, ["Starting", "Downloading", "Training", "Uploading", "Completed"])
        for k in ("TrainingStartTime", "TrainingEndTime", "TrainingTimeInSeconds",
                  "BillableTimeInSeconds", "FinalMetricDataList", "ModelArtifacts"):
            self.assertIn(k, d)
        self.assertEqual(d["AlgorithmSpecification"]["MetricDefinitions"], MD)
        names = {m["MetricName"] for m in d["FinalMetricDataList"]}
        self.assertEqual(names, {"eval_loss", "learning_rate", "eval_accuracy"})
        # two instances: two streams, same Trainer lines in each
        streams = self.logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                                 logStreamNamePrefix=name + "/")["logStreams"]
        self.assertEqual(len(streams), 2)
        self.assertRegex(streams[0]["logStreamName"], r"^life-test-1/algo-1-\d{10}$")
        self.assertRegex(streams[1]["logStreamName"], r"^life-test-1/algo-2-\d{10}$")
        per = []
        for s in streams:
            ev = self.logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                          logStreamName=s["logStreamName"], startFromHead=True)
            per.append([e["message"] for e in ev["events"] if "'loss'" in e["message"]])
        self.assertGreater(len(per[0]), 5)
        self.assertEqual(per[0], per[1])

    def test_create_keeps_profiler_rules_and_remote_debug(self):
        """DescribeTrainingJob returns what CreateTrainingJob was sent, as AWS does: the
        profiler rules (the SDK's ProfilerReport), remote debugging, the infra check."""
        name = "members-test"
        rules = [{"RuleConfigurationName": "ProfilerReport-1712345678",
                  "RuleEvaluatorImage": "895741380848.dkr.ecr.us-west-2.amazonaws.com/"
                                        "sagemaker-debugger-rules:latest",
                  "VolumeSizeInGB": 0,
                  "RuleParameters": {"rule_to_invoke": "ProfilerReport"}}]
        self.sm.create_training_job(**request(
            name, ProfilerRuleConfigurations=rules,
            RemoteDebugConfig={"EnableRemoteDebug": True},
            InfraCheckConfig={"EnableInfraCheck": True}))
        d = self.sm.describe_training_job(TrainingJobName=name)
        self.assertEqual(d.get("ProfilerRuleConfigurations"), rules)
        self.assertEqual(d.get("RemoteDebugConfig"), {"EnableRemoteDebug": True})
        self.assertEqual(d.get("InfraCheckConfig"), {"EnableInfraCheck": True})
        # a job created without them describes none
        self.sm.create_training_job(**request("members-none-test"))
        d = self.sm.describe_training_job(TrainingJobName="members-none-test")
        for k in ("ProfilerRuleConfigurations", "RemoteDebugConfig", "InfraCheckConfig"):
            self.assertNotIn(k, d)

    def test_live_job_gains_lines(self):
        name = "live-lines-test"
        self.sm.create_training_job(**request(name, ResourceConfig={
            "InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}))
        counts = []
        for _ in range(6):
            ss = self.logs.describe_log_streams(logGroupName="/aws/sagemaker/TrainingJobs",
                                                logStreamNamePrefix=name + "/")["logStreams"]
            n = 0
            if ss:
                n = len(self.logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                                 logStreamName=ss[0]["logStreamName"],
                                                 startFromHead=True)["events"])
            counts.append(n)
            time.sleep(0.5)
        self.assertGreater(counts[-1], counts[0])
        self.assertEqual(counts, sorted(counts))

    def test_stop_lifecycle(self):
        name = "stop-test-1"
        self.sm.create_training_job(**request(name, StoppingCondition={
            "MaxRuntimeInSeconds": 3600}))
        time.sleep(0.5)
        self.assertEqual(self.sm.stop_training_job(TrainingJobName=name)["ResponseMetadata"]
                         ["HTTPStatusCode"], 200)
        d = self.sm.describe_training_job(TrainingJobName=name)
        self.assertEqual(d["TrainingJobStatus"], "Stopping")
        self.assertEqual(d["SecondaryStatus"], "Stopping")
        d = self.wait_status(name, ("Stopped",), secs=10)
        self.assertEqual(d["SecondaryStatus"], "Stopped")
        seen = [t["Status"] for t in d["SecondaryStatusTransitions"]]
        self.assertEqual(seen[-2:], ["Stopping", "Stopped"])
        self.assertIn("TrainingEndTime", d)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.stop_training_job(TrainingJobName=name)
        self.assertEqual(error_code(cm.exception), "ValidationException")

    def test_not_found_and_duplicate(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.describe_training_job(TrainingJobName="no-such-job")
        self.assertEqual(error_code(cm.exception), "ValidationException")
        self.assertEqual(cm.exception.response["Error"]["Message"], "Requested resource not found.")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.stop_training_job(TrainingJobName="no-such-job")
        self.assertEqual(error_code(cm.exception), "ValidationException")
        self.sm.create_training_job(**request("dup-test"))
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.create_training_job(**request("dup-test"))
        self.assertEqual(error_code(cm.exception), "ResourceInUse")

    def test_control_job_status(self):
        self.sm.create_training_job(**request("ctl-status-test"))
        r = self.emu.ctl("job", {"name": "ctl-status-test", "status": "Failed",
                                 "failure_reason": "AlgorithmError: boom"})
        self.assertEqual(r["status"], "Failed")
        d = self.sm.describe_training_job(TrainingJobName="ctl-status-test")
        self.assertEqual(d["TrainingJobStatus"], "Failed")
        self.assertEqual(d["FailureReason"], "AlgorithmError: boom")

    def test_control_logs_plants_lines(self):
        self.sm.create_training_job(**request("ctl-logs-test", ResourceConfig={
            "InstanceType": "ml.g5.xlarge", "InstanceCount": 1, "VolumeSizeInGB": 30}))
        import base64
        r = self.emu.ctl("logs", {"job": "ctl-logs-test", "lines": ["\x1b[31mred\x1b[0m"],
                                  "lines_b64": [base64.b64encode(b"bad \xff byte").decode()]})
        ev = self.logs.get_log_events(logGroupName="/aws/sagemaker/TrainingJobs",
                                      logStreamName=r["stream"], startFromHead=True)["events"]
        msgs = [e["message"] for e in ev]
        self.assertIn("\x1b[31mred\x1b[0m", msgs)
        self.assertIn("bad \ufffd byte", msgs)


class ListingTests(unittest.TestCase):
    """ListTrainingJobs filters and pagination, on 1,234 bulk jobs plus a few others."""

    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "empty", "--no-quotas")
        cls.sm = cls.emu.client("sagemaker")
        cls.t0 = time.time()
        r = cls.emu.ctl("jobs", {"count": 1234, "prefix": "bulk",
                                 "statuses": ["Completed", "Completed", "Failed", "InProgress"]})
        assert r["created"] == 1234, r
        cls.emu.ctl("jobs", {"count": 3, "prefix": "other", "statuses": ["Stopped"]})

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def all_pages(self, **kw):
        out, tok, pages = [], None, 0
        while True:
            args = dict(kw)
            if tok:
                args["NextToken"] = tok
            r = self.sm.list_training_jobs(**args)
            out += r["TrainingJobSummaries"]
            pages += 1
            tok = r.get("NextToken")
            if not tok:
                return out, pages

    def test_exact_count_with_pagination(self):
        jobs, pages = self.all_pages(MaxResults=100, NameContains="bulk")
        self.assertEqual(len(jobs), 1234)
        self.assertEqual(pages, 13)
        self.assertEqual(len({j["TrainingJobName"] for j in jobs}), 1234)

    def test_default_page_is_ten_ascending_by_creation(self):
        r = self.sm.list_training_jobs()
        self.assertEqual(len(r["TrainingJobSummaries"]), 10)
        times = [j["CreationTime"] for j in r["TrainingJobSummaries"]]
        self.assertEqual(times, sorted(times))
        self.assertIn("NextToken", r)
        for k in ("TrainingJobName", "TrainingJobArn", "CreationTime", "TrainingJobStatus",
                  "SecondaryStatus", "LastModifiedTime"):
            self.assertIn(k, r["TrainingJobSummaries"][0])

    def test_status_equals_loops_to_exact_count(self):
        jobs, _ = self.all_pages(MaxResults=100, StatusEquals="Failed")
        self.assertEqual(len(jobs), 1234 // 4 + (1 if 1234 % 4 > 2 else 0))
        self.assertTrue(all(j["TrainingJobStatus"] == "Failed" for j in jobs))
        # AWS applies StatusEquals after MaxResults: a page may be short while NextToken remains
        r = self.sm.list_training_jobs(MaxResults=3, StatusEquals="Stopped")
        self.assertEqual(r["TrainingJobSummaries"], [])
        self.assertIn("NextToken", r)

    def test_name_contains_and_sort(self):
        jobs, _ = self.all_pages(NameContains="other", SortBy="Name", SortOrder="Descending",
                                 MaxResults=2)
        self.assertEqual([j["TrainingJobName"] for j in jobs],
                         ["other-00002", "other-00001", "other-00000"])
        jobs, _ = self.all_pages(SortBy="Status", MaxResults=100)
        st = [j["TrainingJobStatus"] for j in jobs]
        self.assertEqual(st, sorted(st))

    def test_time_filters(self):
        all_jobs, _ = self.all_pages(MaxResults=100)
        times = sorted(j["CreationTime"] for j in all_jobs)
        # botocore sends whole epoch seconds; the jobs are 1 s apart with a fraction
        mid = times[600].replace(microsecond=0)
        after, _ = self.all_pages(MaxResults=100, CreationTimeAfter=mid)
        before, _ = self.all_pages(MaxResults=100, CreationTimeBefore=mid)
        self.assertEqual(len(before), len([t for t in times if t < mid]))
        self.assertGreater(len(before), 550)
        self.assertEqual(len(after) + len(before), len(all_jobs))
        self.assertTrue(all(j["CreationTime"] > mid for j in after))
        future = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(hours=1)
        self.assertEqual(self.sm.list_training_jobs(LastModifiedTimeAfter=future)
                         ["TrainingJobSummaries"], [])
        lm, _ = self.all_pages(MaxResults=100, LastModifiedTimeBefore=future)
        self.assertEqual(len(lm), len(all_jobs))

    def test_bad_parameters(self):
        from botocore.config import Config
        import boto3
        raw = boto3.client("sagemaker", endpoint_url=self.emu.endpoint, region_name="us-east-1",
                           aws_access_key_id=self.emu.env["AWS_ACCESS_KEY_ID"],
                           aws_secret_access_key=self.emu.env["AWS_SECRET_ACCESS_KEY"],
                           config=Config(parameter_validation=False,
                                         retries={"total_max_attempts": 1}))
        for kw in ({"MaxResults": 101}, {"SortBy": "Size"}, {"StatusEquals": "Running"},
                   {"NameContains": "a_b"}):
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                raw.list_training_jobs(**kw)
            self.assertEqual(error_code(cm.exception), "ValidationException", kw)
            self.assertIn("validation error detected", cm.exception.response["Error"]["Message"])

    def test_search(self):
        r = self.sm.search(Resource="TrainingJob", SearchExpression={"Filters": [
            {"Name": "TrainingJobStatus", "Operator": "Equals", "Value": "Stopped"}]},
            MaxResults=100)
        self.assertEqual(len(r["Results"]), 3)
        self.assertTrue(all(x["TrainingJob"]["TrainingJobStatus"] == "Stopped" for x in r["Results"]))
        r = self.sm.search(Resource="TrainingJob", SearchExpression={"Filters": [
            {"Name": "TrainingJobName", "Operator": "Contains", "Value": "other"}]},
            SortBy="TrainingJobName", SortOrder="Ascending")
        self.assertEqual([x["TrainingJob"]["TrainingJobName"] for x in r["Results"]],
                         ["other-00000", "other-00001", "other-00002"])


if __name__ == "__main__":
    unittest.main()
