"""Signature checking, the control API and every fault switch."""
import http.client
import json
import time
import unittest
import urllib.parse

import botocore.exceptions
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from harness import Emulator, error_code


class FaultTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "empty", "--no-quotas")
        cls.sm = cls.emu.client("sagemaker")
        cls.logs = cls.emu.client("logs")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        assert rc == 0, "emulator exit status %r on SIGTERM" % rc

    def setUp(self):
        self.emu.ctl("reset", {})

    def raw(self, target, body, secret=None, prefix="SageMaker"):
        """A signed request over http.client: (status, headers, body bytes) or raises."""
        u = urllib.parse.urlparse(self.emu.endpoint)
        req = AWSRequest(method="POST", url=self.emu.endpoint + "/", data=json.dumps(body),
                         headers={"X-Amz-Target": "%s.%s" % (prefix, target),
                                  "Content-Type": "application/x-amz-json-1.1"})
        creds = Credentials(self.emu.env["AWS_ACCESS_KEY_ID"],
                            secret or self.emu.env["AWS_SECRET_ACCESS_KEY"])
        SigV4Auth(creds, "sagemaker" if prefix == "SageMaker" else "logs", "us-east-1").add_auth(req)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/", body=req.body, headers=dict(req.headers.items()))
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict(r.getheaders()), data

    def raw_with_key(self, key_id):
        u = urllib.parse.urlparse(self.emu.endpoint)
        req = AWSRequest(method="POST", url=self.emu.endpoint + "/", data="{}",
                         headers={"X-Amz-Target": "Logs_20140328.DescribeLogGroups",
                                  "Content-Type": "application/x-amz-json-1.1"})
        SigV4Auth(Credentials(key_id, "s" * 40), "logs", "us-east-1").add_auth(req)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/", body=req.body, headers=dict(req.headers.items()))
        data = c.getresponse().read()
        c.close()
        return data

    # ---- signatures
    def test_wrong_secret_is_refused_with_json_signature_error(self):
        bad = self.emu.client("sagemaker", secret="x" * 40)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.list_training_jobs()
        # AWS answers JSON on JSON-protocol services (test_aws_errors.py has the details)
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(error_code(cm.exception), "InvalidSignatureException")
        status, _, body = self.raw("ListTrainingJobs", {}, secret="y" * 40)
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(body)["__type"],
                         "com.amazon.coral.service#InvalidSignatureException")

    def test_unknown_key_is_refused(self):
        bad = self.emu.client("logs", key_id="AKIAUNKNOWNKEY000000")
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            bad.describe_log_groups()
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(error_code(cm.exception), "UnrecognizedClientException")
        self.assertIn(b"UnrecognizedClientException", self.raw_with_key("AKIAUNKNOWNKEY000000"))

    def test_right_secret_works_for_both_services(self):
        self.assertEqual(self.sm.list_training_jobs()["TrainingJobSummaries"], [])
        groups = [g["logGroupName"] for g in self.logs.describe_log_groups()["logGroups"]]
        self.assertIn("/aws/sagemaker/TrainingJobs", groups)

    def test_control_api_needs_no_signature(self):
        info = self.emu.ctl("info")
        self.assertEqual(info["scenario"], "empty")
        self.assertIn("faults", info["endpoints"])

    # ---- faults
    def test_throttle_rate_one(self):
        self.emu.ctl("faults", {"throttle": 1.0})
        status, headers, body = self.raw("ListTrainingJobs", {})
        self.assertEqual(status, 400)
        self.assertEqual(headers["Content-Type"], "application/x-amz-json-1.1")
        self.assertEqual(json.loads(body), {"__type": "ThrottlingException",
                                            "message": "Rate exceeded"})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.describe_log_groups()
        self.assertEqual(error_code(cm.exception), "ThrottlingException")
        stats = self.emu.ctl("stats")
        self.assertGreaterEqual(stats["throttled"].get("ListTrainingJobs", 0), 1)
        self.assertGreaterEqual(stats["faults"].get("throttle", 0), 2)

    def test_throttle_rate_zero_and_reset(self):
        self.emu.ctl("faults", {"throttle": 1.0})
        self.emu.ctl("reset", {})
        self.sm.list_training_jobs()  # no error after reset
        self.emu.ctl("faults", {"throttle": 0.0})
        for _ in range(5):
            self.sm.list_training_jobs()

    def test_fault_restricted_to_ops(self):
        self.emu.ctl("faults", {"throttle": 1.0, "ops": ["DescribeLogGroups"]})
        self.sm.list_training_jobs()  # not in ops: passes
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.describe_log_groups()
        self.assertEqual(error_code(cm.exception), "ThrottlingException")

    def test_5xx(self):
        self.emu.ctl("faults", {"5xx": 1.0})
        seen = set()
        for _ in range(30):
            status, _, body = self.raw("ListTrainingJobs", {})
            seen.add(status)
            self.assertIn("__type", json.loads(body))
            if seen == {500, 503}:
                break
        self.assertEqual(seen, {500, 503})

    def test_expired_token(self):
        self.emu.ctl("faults", {"expired_token": 1})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.sm.list_training_jobs()
        self.assertEqual(error_code(cm.exception), "ExpiredTokenException")
        self.assertEqual(cm.exception.response["Error"]["Message"],
                         "The security token included in the request is expired")

    def test_access_denied(self):
        self.emu.ctl("faults", {"access_denied": 1})
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.logs.describe_log_groups()
        self.assertEqual(error_code(cm.exception), "AccessDeniedException")

    def test_slow(self):
        self.emu.ctl("faults", {"slow_ms": 400})
        t = time.monotonic()
        self.sm.list_training_jobs()
        self.assertGreaterEqual(time.monotonic() - t, 0.4)

    def test_connection_reset(self):
        self.emu.ctl("faults", {"reset": 1.0})
        with self.assertRaises((ConnectionError, http.client.HTTPException, OSError)):
            self.raw("ListTrainingJobs", {})
        with self.assertRaises(botocore.exceptions.ConnectionClosedError):
            self.sm.list_training_jobs()

    def test_truncated_body(self):
        self.emu.ctl("faults", {"truncate": 1.0})
        with self.assertRaises(http.client.IncompleteRead) as cm:
            self.raw("DescribeLogGroups", {}, prefix="Logs_20140328")
        self.assertGreater(len(cm.exception.partial), 0)
        self.assertGreater(cm.exception.expected, 0)

    def test_bad_fault_name_rejected(self):
        import urllib.error
        with self.assertRaises(urllib.error.HTTPError) as cm:
            self.emu.ctl("faults", {"bogus": 1})
        self.assertEqual(cm.exception.code, 400)

    def test_stats_count_requests_per_operation(self):
        self.emu.ctl("reset", {"stats": True})
        for _ in range(3):
            self.sm.list_training_jobs()
        self.logs.describe_log_groups()
        s = self.emu.ctl("stats")
        self.assertEqual(s["requests"]["ListTrainingJobs"], 3)
        self.assertEqual(s["requests"]["DescribeLogGroups"], 1)


class StartupFlagTests(unittest.TestCase):
    def test_fault_flag_at_startup(self):
        emu = Emulator("--scenario", "empty", "--fault", "throttle=1", "--no-quotas")
        try:
            with self.assertRaises(botocore.exceptions.ClientError) as cm:
                emu.client("sagemaker").list_training_jobs()
            self.assertEqual(error_code(cm.exception), "ThrottlingException")
        finally:
            self.assertEqual(emu.stop(), 0)


if __name__ == "__main__":
    unittest.main()
