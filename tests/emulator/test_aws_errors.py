"""The emulator errs as AWS does: JSON auth errors on JSON-protocol services, one request id and
no stray headers, AWS's validation message for limit=0, unsigned AssumeRoleWithWebIdentity."""
import http.client
import json
import unittest
import urllib.parse

import boto3
import botocore.exceptions
from botocore import UNSIGNED
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

from harness import Emulator, error_code

AMZ_JSON = "application/x-amz-json-1.1"
SIG_MSG = ("The request signature we calculated does not match the signature you provided. "
           "Check your AWS Secret Access Key and signing method. Consult the service "
           "documentation for details.")
TOKEN_MSG = "The security token included in the request is invalid."
LIMIT_MSG = ("1 validation error detected: Value '0' at 'limit' failed to satisfy constraint: "
             "Member must have value greater than or equal to 1")


class AwsErrorTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.emu = Emulator("--scenario", "demo", "--no-quotas")
        cls.logs = cls.emu.client("logs")

    @classmethod
    def tearDownClass(cls):
        rc = cls.emu.stop()
        assert rc == 0, "emulator exit status %r on SIGTERM" % rc

    def raw(self, target, body, key_id=None, secret=None, sign=True):
        """(status, [(header, value)...], body bytes) of one JSON-protocol request."""
        u = urllib.parse.urlparse(self.emu.endpoint)
        prefix, _, _ = target.partition(".")
        req = AWSRequest(method="POST", url=self.emu.endpoint + "/", data=json.dumps(body),
                         headers={"X-Amz-Target": target, "Content-Type": AMZ_JSON})
        if sign:
            creds = Credentials(key_id or self.emu.env["AWS_ACCESS_KEY_ID"],
                                secret or self.emu.env["AWS_SECRET_ACCESS_KEY"])
            SigV4Auth(creds, "sagemaker" if prefix == "SageMaker" else "logs",
                      "us-east-1").add_auth(req)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=10)
        c.request("POST", "/", body=req.body, headers=dict(req.headers.items()))
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, r.getheaders(), data

    def header_values(self, headers, name):
        return [v for k, v in headers if k.lower() == name.lower()]

    def assert_json_error(self, answer, status, code, message):
        st, headers, body = answer
        self.assertEqual(st, status)
        self.assertEqual(self.header_values(headers, "Content-Type"), [AMZ_JSON])
        doc = json.loads(body)
        self.assertEqual(doc, {"__type": "com.amazon.coral.service#" + code, "message": message})
        etype = self.header_values(headers, "x-amzn-ErrorType")
        self.assertEqual(len(etype), 1)
        self.assertEqual(etype[0].split(":")[0], code)
        self.assertEqual(len(self.header_values(headers, "x-amzn-RequestId")), 1)

    # ---- authentication errors on JSON-protocol services
    def test_wrong_secret_is_invalid_signature_json(self):
        for target in ("SageMaker.ListTrainingJobs", "Logs_20140328.DescribeLogGroups"):
            self.assert_json_error(self.raw(target, {}, secret="x" * 40), 400,
                                   "InvalidSignatureException", SIG_MSG)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.emu.client("sagemaker", secret="y" * 40).list_training_jobs()
        self.assertEqual(error_code(cm.exception), "InvalidSignatureException")
        self.assertEqual(cm.exception.response["Error"]["Message"], SIG_MSG)

    def test_unknown_key_is_unrecognized_client_json(self):
        for target in ("SageMaker.DescribeTrainingJob", "Logs_20140328.GetLogEvents"):
            self.assert_json_error(self.raw(target, {}, key_id="AKIAUNKNOWNKEY000000"), 400,
                                   "UnrecognizedClientException", TOKEN_MSG)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            self.emu.client("logs", key_id="AKIAUNKNOWNKEY000000").describe_log_groups()
        self.assertEqual(error_code(cm.exception), "UnrecognizedClientException")

    def test_unsigned_json_request_is_missing_authentication_token(self):
        self.assert_json_error(self.raw("SageMaker.ListTrainingJobs", {}, sign=False), 400,
                               "MissingAuthenticationTokenException",
                               "Missing Authentication Token")

    # ---- headers
    def test_one_request_id_and_no_status_header(self):
        answers = [self.raw("SageMaker.ListTrainingJobs", {}),
                   self.raw("Logs_20140328.DescribeLogGroups", {}),
                   self.raw("SageMaker.DescribeTrainingJob", {"TrainingJobName": "nope"}),
                   self.raw("SageMaker.ListTrainingJobs", {}, secret="z" * 40)]
        for status, headers, _ in answers:
            names = [k.lower() for k, _ in headers]
            self.assertEqual(names.count("x-amzn-requestid"), 1, headers)
            self.assertNotIn("status", names)
            self.assertEqual(len(names), len(set(names)), headers)
        self.assertEqual([a[0] for a in answers], [200, 200, 400, 400])

    def test_query_protocol_answers_one_request_id(self):
        sts = self.emu.client("sts")
        r = sts.get_caller_identity()
        hdrs = r["ResponseMetadata"]["HTTPHeaders"]
        self.assertNotIn("status", hdrs)
        # botocore reads the query protocol's id from the body: the same one as the header's
        self.assertEqual(r["ResponseMetadata"]["RequestId"], hdrs["x-amzn-requestid"])
        self.assertRegex(hdrs["x-amzn-requestid"], r"^[0-9a-f]{8}-([0-9a-f]{4}-){3}[0-9a-f]{12}$")

    # ---- validation
    def test_limit_zero_is_aws_validation_message(self):
        group = "/aws/sagemaker/TrainingJobs"
        stream = self.logs.describe_log_streams(logGroupName=group, limit=1)["logStreams"][0]
        for op, body in (("GetLogEvents", {"logGroupName": group, "limit": 0,
                                           "logStreamName": stream["logStreamName"]}),
                         ("DescribeLogStreams", {"logGroupName": group, "limit": 0}),
                         ("FilterLogEvents", {"logGroupName": group, "limit": 0})):
            status, headers, data = self.raw("Logs_20140328." + op, body)
            self.assertEqual(status, 400, op)
            self.assertEqual(json.loads(data), {"__type": "ValidationException",
                                                "message": LIMIT_MSG}, op)

    def test_limit_above_the_maximum(self):
        status, _, data = self.raw("Logs_20140328.DescribeLogStreams",
                                   {"logGroupName": "/aws/sagemaker/TrainingJobs", "limit": 51})
        self.assertEqual(status, 400)
        self.assertEqual(json.loads(data)["message"],
                         "1 validation error detected: Value '51' at 'limit' failed to satisfy "
                         "constraint: Member must have value less than or equal to 50")

    # ---- web identity
    def test_assume_role_with_web_identity_is_unsigned(self):
        iam = self.emu.client("iam")
        arn = iam.create_role(RoleName="irsa-test", AssumeRolePolicyDocument=json.dumps({
            "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*",
                                                    "Principal": {"Federated": "x"}}]}))[
            "Role"]["Arn"]
        iam.put_role_policy(RoleName="irsa-test", PolicyName="all", PolicyDocument=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
        sts = boto3.client("sts", endpoint_url=self.emu.endpoint, region_name="us-east-1",
                           config=Config(signature_version=UNSIGNED))
        c = sts.assume_role_with_web_identity(RoleArn=arn, RoleSessionName="session-1",
                                              WebIdentityToken="header.payload.sig")
        creds = c["Credentials"]
        sm = boto3.client("sagemaker", endpoint_url=self.emu.endpoint, region_name="us-east-1",
                          aws_access_key_id=creds["AccessKeyId"],
                          aws_secret_access_key=creds["SecretAccessKey"],
                          aws_session_token=creds["SessionToken"])
        self.assertEqual(sm.list_training_jobs()["TrainingJobSummaries"],
                         self.emu.client("sagemaker").list_training_jobs()["TrainingJobSummaries"])
        # other STS actions still need a signature: AWS says MissingAuthenticationToken (403)
        with self.assertRaises(botocore.exceptions.ClientError) as cm:
            sts.get_caller_identity()
        self.assertEqual(cm.exception.response["Error"]["Code"], "MissingAuthenticationToken")
        self.assertEqual(cm.exception.response["ResponseMetadata"]["HTTPStatusCode"], 403)


if __name__ == "__main__":
    unittest.main()
