"""The demo scenario's data, and CloudWatch Logs semantics (tokens, pagination, eventIds)."""
import collections
import re
import time
import unittest

import botocore.exceptions

from harness import Emulator, error_code

G = "/aws/sagemaker/TrainingJobs"


class DemoTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        t = time.monotonic()
        cls.emu = Emulator("--scenario", "demo", "--seed", "7", "--no-quotas", "--speed", "25")
        cls.startup_s = time.monotonic() - t
        cls.sm = cls.emu.client("sagemaker")
        cls.logs = cls.emu.client("logs")
        cls.jobs = []
        tok = None
        while True:
            r = cls.sm.list_training_jobs(MaxResults=100, **({"NextToken": tok} if tok else {}))
            cls.jobs += r["TrainingJobSummaries"]
            tok = r.get("NextToken")
            if not tok:
                break
        cls.desc = {j["TrainingJobName"]: cls.sm.describe_training_job(
            TrainingJobName=j["TrainingJobName"]) for j in cls.jobs}

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def streams(self, prefix):
        out, tok = [], None
        while True:
            kw = {"logGroupName": G, "logStreamNamePrefix": prefix}
            if tok:
                kw["nextToken"] = tok
            r = self.logs.describe_log_streams(**kw)
            out += r["logStreams"]
            tok = r.get("nextToken")
            if not tok:
                return out

    def all_events(self, stream):
        evs, tok = [], None
        while True:
            kw = {"logGroupName": G, "logStreamName": stream, "startFromHead": True}
            if tok:
                kw["nextToken"] = tok
            r = self.logs.get_log_events(**kw)
            evs += r["events"]
            if r["nextForwardToken"] == tok:
                return evs
            tok = r["nextForwardToken"]

    def test_startup_is_fast(self):
        self.assertLess(self.startup_s, 10)

    def test_counts_and_statuses(self):
        c = collections.Counter(j["TrainingJobStatus"] for j in self.jobs)
        self.assertGreaterEqual(len(self.jobs), 38)
        self.assertLessEqual(len(self.jobs), 45)
        self.assertGreaterEqual(c["InProgress"], 3)
        self.assertGreaterEqual(c["Failed"], 3)
        self.assertGreaterEqual(c["Stopped"], 2)
        self.assertGreaterEqual(c["Completed"], 20)
        now = time.time()
        ages = [now - j["CreationTime"].timestamp() for j in self.jobs]
        self.assertLess(max(ages), 31 * 86400)
        self.assertGreater(max(ages), 20 * 86400)

    def test_deterministic_with_seed(self):
        other = Emulator("--scenario", "demo", "--seed", "7", "--no-quotas")
        try:
            sm = other.client("sagemaker")
            names = []
            tok = None
            while True:
                r = sm.list_training_jobs(MaxResults=100, SortBy="Name",
                                          **({"NextToken": tok} if tok else {}))
                names += [(j["TrainingJobName"], j["TrainingJobStatus"])
                          for j in r["TrainingJobSummaries"]]
                tok = r.get("NextToken")
                if not tok:
                    break
            mine = sorted((j["TrainingJobName"], self.desc[j["TrainingJobName"]]
                           ["TrainingJobStatus"]) for j in self.jobs)
            # live jobs may have finished here already: compare names, and history statuses
            # names embed creation times anchored to the hour: compare without them
            stem = lambda xs: [re.sub(r"-\d{4}(-\d\d){5}-\d{3}$", "", n) for n, _ in xs]  # noqa: E731
            self.assertEqual(stem(names), stem(mine))
            hist = lambda xs: [x for x in xs if not x[0].startswith("live-")]  # noqa: E731
            self.assertEqual(hist(names), hist(mine))
        finally:
            other.stop()

    def test_describe_has_every_field(self):
        completed = [d for d in self.desc.values() if d["TrainingJobStatus"] == "Completed"]
        for d in completed:
            for k in ("TrainingJobName", "TrainingJobArn", "ModelArtifacts", "TrainingJobStatus",
                      "SecondaryStatus", "HyperParameters", "AlgorithmSpecification", "RoleArn",
                      "InputDataConfig", "OutputDataConfig", "ResourceConfig", "StoppingCondition",
                      "CreationTime", "TrainingStartTime", "TrainingEndTime", "LastModifiedTime",
                      "SecondaryStatusTransitions", "FinalMetricDataList",
                      "EnableManagedSpotTraining", "TrainingTimeInSeconds",
                      "BillableTimeInSeconds", "Environment", "EnableNetworkIsolation"):
                self.assertIn(k, d, d["TrainingJobName"])
            hp = d["HyperParameters"]
            for k in ("sagemaker_program", "sagemaker_submit_directory", "sagemaker_region",
                      "sagemaker_container_log_level", "sagemaker_job_name"):
                self.assertIn(k, hp)
            self.assertEqual(hp["sagemaker_region"], '"us-east-1"')
            self.assertRegex(d["AlgorithmSpecification"]["TrainingImage"],
                             r"^763104351884\.dkr\.ecr\.us-east-1\.amazonaws\.com/huggingface-"
                             r"pytorch-training:[0-9.]+-transformers[0-9.]+-gpu-py3\d+-cu\d+-ubuntu")
            self.assertTrue(d["FinalMetricDataList"], d["TrainingJobName"])
            self.assertEqual([t["Status"] for t in d["SecondaryStatusTransitions"]],
                             ["Starting", "Downloading", "Training", "Uploading", "Completed"])
            self.assertTrue(all(t["StatusMessage"] for t in d["SecondaryStatusTransitions"]))

    def test_family_for_comparison(self):
        fam = {n: d for n, d in self.desc.items() if n.startswith("distilbert-imdb-")}
        self.assertGreaterEqual(len(fam), 3)
        for d in fam.values():
            self.assertEqual(d["TrainingJobStatus"], "Completed")
        lrs = {d["HyperParameters"]["learning_rate"] for d in fam.values()}
        eps = {d["HyperParameters"]["epochs"] for d in fam.values()}
        self.assertGreaterEqual(len(lrs), 2)
        self.assertGreaterEqual(len(eps), 2)
        d = fam["distilbert-imdb-lr5e5-ep3"]
        self.assertEqual(d["HyperParameters"]["model_name_or_path"], '"distilbert-base-uncased"')
        md = d["AlgorithmSpecification"]["MetricDefinitions"]
        self.assertIn({"Name": "eval_loss", "Regex": r"eval_loss.*=\D*(.*?)$"}, md)
        self.assertIn({"Name": "learning_rate",
                       "Regex": r"'learning_rate': ([0-9]+(.|e\-)[0-9]+),?"}, md)

    def test_spot_jobs_bill_less(self):
        spot = [d for d in self.desc.values() if d["EnableManagedSpotTraining"]
                and d["TrainingJobStatus"] == "Completed"]
        self.assertTrue(spot)
        for d in spot:
            self.assertLess(d["BillableTimeInSeconds"], d["TrainingTimeInSeconds"])
            self.assertIn("CheckpointConfig", d)
            self.assertIn("MaxWaitTimeInSeconds", d["StoppingCondition"])

    def test_failed_jobs_have_reason_and_traceback(self):
        failed = [d for d in self.desc.values() if d["TrainingJobStatus"] == "Failed"]
        self.assertTrue(any("CUDA out of memory" in d["FailureReason"] for d in failed))
        for d in failed:
            self.assertTrue(d["FailureReason"].startswith("AlgorithmError: ExecuteUserScriptError"))
            self.assertEqual(d["SecondaryStatus"], "Failed")
            ss = self.streams(d["TrainingJobName"] + "/")
            msgs = [e["message"] for e in self.all_events(ss[0]["logStreamName"])]
            self.assertIn("Traceback (most recent call last):", msgs)

    def test_multi_instance_streams(self):
        multi = [d for d in self.desc.values() if d["ResourceConfig"]["InstanceCount"] > 1
                 and d["TrainingJobStatus"] == "Completed"]
        self.assertTrue(multi)
        d = multi[0]
        n = d["ResourceConfig"]["InstanceCount"]
        ss = self.streams(d["TrainingJobName"] + "/")
        self.assertEqual(len(ss), n)
        for i, s in enumerate(ss, 1):
            self.assertRegex(s["logStreamName"],
                             r"^%s/algo-%d-\d{10}$" % (re.escape(d["TrainingJobName"]), i))
        loss = [[e["message"].split(":", 3)[-1] if e["message"].startswith("[1,") else e["message"]
                 for e in self.all_events(s["logStreamName"]) if "{'loss'" in e["message"]]
                for s in ss]
        self.assertGreater(len(loss[0]), 3)
        self.assertEqual(loss[0], loss[1])

    def test_trainer_log_shapes(self):
        d = self.desc["distilbert-imdb-lr5e5-ep3"]
        ss = self.streams(d["TrainingJobName"] + "/")
        msgs = [e["message"] for e in self.all_events(ss[0]["logStreamName"])]
        self.assertLess(len(msgs), 5000)
        self.assertGreater(len(msgs), 100)
        self.assertTrue(any("\r" in m and "it/s]" in m for m in msgs))
        dicts = [m for m in msgs if re.fullmatch(
            r"\{'loss': [0-9.]+, 'learning_rate': [0-9.e-]+, 'epoch': [0-9.]+\}", m)]
        self.assertGreater(len(dicts), 10)
        losses = [float(re.search(r"'loss': ([0-9.]+)", m).group(1)) for m in dicts]
        self.assertLess(sum(losses[-5:]) / 5, sum(losses[:5]) / 5)  # it learns
        evals = [m for m in msgs if m.startswith("{'eval_loss'")]
        self.assertEqual(len(evals), 3)
        acc = [float(re.search(r"'eval_accuracy': ([0-9.]+)", m).group(1)) for m in evals]
        self.assertGreater(acc[-1], acc[0] - 0.01)
        self.assertIn("***** eval metrics *****", msgs)
        self.assertTrue(any(re.fullmatch(r"  eval_loss +=\s+[0-9.]+", m) for m in msgs))
        self.assertTrue(any(re.fullmatch(r"  train_runtime +=\s+\d:\d\d:\d\d\.\d\d", m) for m in msgs))
        # FinalMetricDataList agrees with the log through the job's own regexes
        fm = {m["MetricName"]: m["Value"] for m in d["FinalMetricDataList"]}
        ev_line = [m for m in msgs if m.startswith("  eval_loss")][-1]
        self.assertAlmostEqual(fm["eval_loss"], float(ev_line.split("=")[1]))
        self.assertNotIn("train_runtime", fm)  # h:mm:ss is no number: SageMaker drops it

    def test_live_job_gains_lines_and_completes(self):
        live = [n for n, d in self.desc.items() if d["TrainingJobStatus"] == "InProgress"]
        self.assertGreaterEqual(len(live), 3)
        name = "live-distilbert-imdb"
        self.assertIn(name, live)
        ss = self.streams(name + "/")
        s = ss[0]["logStreamName"]
        first = self.all_events(s)
        # under make test's parallel load the class setup can take long enough for the job to
        # have written its whole log (the status flips a moment later): "gains lines" is
        # checked when the first read lacks the log's last line (the completion checks below
        # hold either way)
        whole_at_first = any("Reporting training SUCCESS" in e["message"] for e in first)
        end = time.time() + 40
        while time.time() < end:
            d = self.sm.describe_training_job(TrainingJobName=name)
            if d["TrainingJobStatus"] == "Completed":
                break
            time.sleep(0.5)
        self.assertEqual(d["TrainingJobStatus"], "Completed")
        later = self.all_events(s)
        if whole_at_first:
            self.assertEqual(len(later), len(first))
        else:
            self.assertGreater(len(later), len(first))
        self.assertEqual(later[:len(first)], first)
        self.assertTrue(d["FinalMetricDataList"])
        self.assertIn("Reporting training SUCCESS", later[-1]["message"])


class LogsSemanticsTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "demo", "--no-quotas")
        cls.logs = cls.emu.client("logs")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def test_get_log_events_same_token_at_end(self):
        s = self.logs.describe_log_streams(logGroupName=G, logStreamNamePrefix=
                                           "distilbert-imdb-lr5e5-ep3/")["logStreams"][0]
        r = self.logs.get_log_events(logGroupName=G, logStreamName=s["logStreamName"],
                                     startFromHead=True, limit=50)
        self.assertEqual(len(r["events"]), 50)
        total = 50
        tok = r["nextForwardToken"]
        while True:
            r = self.logs.get_log_events(logGroupName=G, logStreamName=s["logStreamName"],
                                         startFromHead=True, nextToken=tok, limit=50)
            total += len(r["events"])
            if r["nextForwardToken"] == tok:
                self.assertEqual(r["events"], [])
                break
            tok = r["nextForwardToken"]
        ts = [e["timestamp"] for e in self.logs.get_log_events(
            logGroupName=G, logStreamName=s["logStreamName"], startFromHead=True)["events"]]
        self.assertEqual(total, len(ts))
        self.assertEqual(ts, sorted(ts))
        # default is newest first: the last page of the stream
        r = self.logs.get_log_events(logGroupName=G, logStreamName=s["logStreamName"], limit=5)
        self.assertEqual([e["timestamp"] for e in r["events"]], ts[-5:])
        # time window: start inclusive, end exclusive
        r = self.logs.get_log_events(logGroupName=G, logStreamName=s["logStreamName"],
                                     startFromHead=True, startTime=ts[10], endTime=ts[20])
        self.assertTrue(all(ts[10] <= e["timestamp"] < ts[20] for e in r["events"]))

    def test_missing_stream_and_group(self):
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.get_log_events(logGroupName=G, logStreamName="nope/algo-1-1")
        self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.describe_log_streams(logGroupName="/no/such/group")
        self.assertEqual(error_code(cm.exception), "ResourceNotFoundException")

    def test_describe_log_streams_prefix_and_pages(self):
        names, tok, pages = [], None, 0
        while True:
            kw = {"logGroupName": G, "limit": 7}
            if tok:
                kw["nextToken"] = tok
            r = self.logs.describe_log_streams(**kw)
            names += [s["logStreamName"] for s in r["logStreams"]]
            pages += 1
            tok = r.get("nextToken")
            if not tok:
                break
        self.assertGreater(pages, 3)
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(names), len(set(names)))
        r = self.logs.describe_log_streams(logGroupName=G, logStreamNamePrefix="live-bert-sst2-ddp/")
        self.assertEqual(len(r["logStreams"]), 2)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.describe_log_streams(logGroupName=G, logStreamNamePrefix="x",
                                           orderBy="LastEventTime")
        self.assertEqual(error_code(cm.exception), "InvalidParameterException")

    def test_filter_log_events_unique_ids_and_pages(self):
        ev, tok = [], None
        while True:
            kw = {"logGroupName": G, "logStreamNamePrefix": "live-bert-sst2-ddp/", "limit": 40}
            if tok:
                kw["nextToken"] = tok
            r = self.logs.filter_log_events(**kw)
            ev += r["events"]
            tok = r.get("nextToken")
            if not tok:
                break
        self.assertGreater(len(ev), 80)
        ids = [e["eventId"] for e in ev]
        self.assertEqual(len(ids), len(set(ids)))
        self.assertEqual({e["logStreamName"].split("/")[1][:6] for e in ev}, {"algo-1", "algo-2"})
        ts = [e["timestamp"] for e in ev]
        self.assertEqual(ts, sorted(ts))
        r = self.logs.filter_log_events(logGroupName=G, filterPattern='"eval_loss"',
                                        logStreamNamePrefix="distilbert-imdb-")
        self.assertTrue(r["events"])
        self.assertTrue(all("eval_loss" in e["message"] for e in r["events"]))


if __name__ == "__main__":
    unittest.main()
