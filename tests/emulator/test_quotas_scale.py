"""Per-operation quotas (on by default, --no-quotas, control switch) and the scale scenario."""
import http.client
import json
import math
import time
import unittest
import urllib.parse

import botocore.exceptions

from harness import Emulator, error_code

G = "/aws/sagemaker/TrainingJobs"


class QuotaTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "empty")
        cls.logs = cls.emu.client("logs")
        cls.sm = cls.emu.client("sagemaker")

    @classmethod
    def tearDownClass(cls):
        cls.emu.stop()

    def burst(self, fn, n):
        ok = throttled = 0
        for _ in range(n):
            try:
                fn()
                ok += 1
            except botocore.exceptions.ClientError as e:
                self.assertEqual(error_code(e), "ThrottlingException")
                self.assertEqual(e.response["Error"]["Message"], "Rate exceeded")
                self.assertEqual(e.response["ResponseMetadata"]["HTTPStatusCode"], 400)
                throttled += 1
        return ok, throttled

    def test_burst_is_throttled_then_recovers(self):
        self.emu.ctl("quotas", {"enabled": True})
        q = self.emu.ctl("quotas")["quotas"]["FilterLogEvents"]
        self.assertEqual(q["rate"], 5)
        t0 = time.monotonic()
        ok, throttled = self.burst(lambda: self.logs.filter_log_events(logGroupName=G), 20)
        elapsed = time.monotonic() - t0
        # a token bucket lets through its burst plus what refills while the 20 calls run: on a
        # loaded machine (make test runs suites side by side) the calls take longer and more
        # refill, so the bound is computed from the time they took, not assumed
        self.assertGreaterEqual(ok, q["burst"])
        self.assertLessEqual(ok, q["burst"] + q["rate"] * elapsed + 1)
        self.assertEqual(ok + throttled, 20)
        self.assertGreaterEqual(throttled, 1)
        self.assertGreaterEqual(self.emu.ctl("stats")["throttled"]["FilterLogEvents"], throttled)
        time.sleep(1.2)  # the bucket refills at the documented rate
        self.logs.filter_log_events(logGroupName=G)

    def gmd(self, n_queries, span_s, age_s=0):
        """The status and error code of one (unsigned) JSON 1.0 GetMetricData asking for
        n_queries one-minute series over span_s seconds that start age_s + span_s ago."""
        u = urllib.parse.urlparse(self.emu.endpoint)
        now = time.time() - age_s
        q = [{"Id": "m%d" % i, "MetricStat": {"Metric": {"Namespace": G, "MetricName": "GPUUtilization",
                                                          "Dimensions": [{"Name": "Host", "Value": "j/algo-%d" % i}]},
                                               "Period": 60, "Stat": "Average"}}
             for i in range(n_queries)]
        body = json.dumps({"MetricDataQueries": q, "StartTime": now - span_s, "EndTime": now})
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/", body=body, headers={
            "X-Amz-Target": "GraniteServiceVersion20100801.GetMetricData",
            "Content-Type": "application/x-amz-json-1.0"})
        r = c.getresponse()
        out = json.loads(r.read() or b"{}")
        c.close()
        return r.status, out.get("__type", "").rpartition("#")[2]

    def test_get_metric_data_datapoint_quota(self):
        self.emu.ctl("quotas", {"enabled": True})
        # 500 queries x 1 day of minutes = 720,000 datapoints: over 180,000 DPS at once
        self.assertEqual(self.gmd(500, 86400), (400, "ThrottlingException"))
        # 100 queries x 1 h = 6,000: within it (the answer is moto's: unsigned, not throttled)
        status, code = self.gmd(100, 3600)
        self.assertNotEqual(code, "ThrottlingException")
        # older than 3 hours: 90,000 DPS; 100 x 1 day = 144,000 over it, 50,000 within
        time.sleep(1.1)
        self.assertEqual(self.gmd(100, 86400, age_s=4 * 3600), (400, "ThrottlingException"))
        self.assertNotEqual(self.gmd(50, 60000, age_s=4 * 3600)[1], "ThrottlingException")
        self.assertGreaterEqual(self.emu.ctl("stats")["throttled"]["GetMetricData"], 2)

    def test_quotas_are_per_operation(self):
        self.emu.ctl("quotas", {"enabled": True})
        self.burst(lambda: self.logs.filter_log_events(logGroupName=G), 15)
        self.sm.list_training_jobs()  # its own bucket is still full

    def test_switch_off(self):
        self.emu.ctl("quotas", {"enabled": False})
        try:
            ok, throttled = self.burst(lambda: self.logs.filter_log_events(logGroupName=G), 30)
            self.assertEqual(throttled, 0)
        finally:
            self.emu.ctl("quotas", {"enabled": True})

    def test_no_quotas_flag(self):
        emu = Emulator("--scenario", "empty", "--no-quotas")
        try:
            self.assertFalse(emu.ctl("quotas")["enabled"])
            logs = emu.client("logs")
            ok, throttled = self.burst(lambda: logs.filter_log_events(logGroupName=G), 30)
            self.assertEqual((ok, throttled), (30, 0))
        finally:
            emu.stop()


class ScaleTests(unittest.TestCase):
    def test_scale_scenario(self):
        t = time.monotonic()
        emu = Emulator("--scenario", "scale", "--jobs", "3000", "--lines", "300000", "--no-quotas")
        try:
            self.assertLess(time.monotonic() - t, 30)
            sm = emu.client("sagemaker")
            logs = emu.client("logs")
            n, tok = 0, None
            while True:
                r = sm.list_training_jobs(MaxResults=100, **({"NextToken": tok} if tok else {}))
                n += len(r["TrainingJobSummaries"])
                tok = r.get("NextToken")
                if not tok:
                    break
            self.assertEqual(n, 3000)
            s = logs.describe_log_streams(logGroupName=G, logStreamNamePrefix="scale-job-000000/")
            name = s["logStreams"][0]["logStreamName"]
            got, tok, t = 0, None, time.monotonic()
            while True:
                kw = {"logGroupName": G, "logStreamName": name, "startFromHead": True}
                if tok:
                    kw["nextToken"] = tok
                r = logs.get_log_events(**kw)
                got += len(r["events"])
                if r["nextForwardToken"] == tok:
                    break
                tok = r["nextForwardToken"]
            self.assertEqual(got, 300000)
            self.assertLess(time.monotonic() - t, 60)
        finally:
            emu.stop()

    def test_log_jobs_spread_the_lines(self):
        """--log-jobs K (make bench's sync section): the lines over jobs 0..K-1, one stream each,
        each log the text a K=1 run of its size would have (no emulator start: the store alone)."""
        import scenario
        import store as st
        store = st.Store()
        store.ensure_group(G)
        scenario.scale(store, scenario.Engine(store), 5, 1003, now=1.7e9, log_jobs=3)
        streams = store.groups[G].streams
        self.assertEqual(sorted(n.split("/")[0] for n in streams),
                         ["scale-job-000000", "scale-job-000001", "scale-job-000002"])
        by_job = {n.split("/")[0]: s for n, s in streams.items()}
        self.assertEqual([len(by_job["scale-job-%06d" % i].msg) for i in range(3)], [335, 334, 334])
        s = by_job["scale-job-000001"]
        self.assertEqual(s.msg[0], "  0%|| 0/334 [00:00<00:00,  8.00it/s]")
        self.assertEqual(s.msg[333], " 99%|#########| 333/334 [00:00<00:00,  8.00it/s]")
        prog = 9 / 334
        self.assertEqual(s.msg[9], "{'loss': %.4f, 'learning_rate': %r, 'epoch': %.2f}" % (
            0.1 + 0.6 * math.exp(-4 * prog) + (9 * 7919 % 100) / 5000.0, 5e-5 * (1 - prog), 3 * prog))
        self.assertEqual(s.msg[200], " 59%|#####| 200/334 [00:00<00:00,  8.00it/s]")
        self.assertEqual(s.ts[1] - s.ts[0], 10)
        self.assertEqual(s.ing[0] - s.ts[0], 200)


if __name__ == "__main__":
    unittest.main()
