#!/usr/bin/env python3
"""sagetop's local AWS: moto with signature checking, plus a scenario layer (see README.md).

Two servers in one process, both on 127.0.0.1:
  front (the public port): the control API under /_emulator/, per-operation quotas, injected
    faults, request statistics; forwards every AWS request byte-exact (Host, path, headers, body)
    to moto, so moto checks the SigV4 signature and IAM policy of every request.
  moto (a private port): ThreadedMotoServer in IAM auth mode. SageMaker training-job and
    CloudWatch Logs operations are answered by store.Store through handlers patched into moto's
    response classes, after moto's own authentication.
Prints the AWS_* variables and READY on stdout once serving; runs until SIGTERM/SIGINT.
"""
import argparse
import base64
import copy
import functools
import json
import os
import random
import signal
import socket
import sys
import threading
import time
import urllib.parse
import uuid
from xml.etree import ElementTree
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
import http.client

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import answers  # noqa: E402
import store as st  # noqa: E402
import scenario  # noqa: E402
import tuning  # noqa: E402
import validation  # noqa: E402
import tuning_launch  # noqa: E402

AMZ_JSON = "application/x-amz-json-1.1"

# Per-operation request-rate quotas (requests/s, burst). Sources in README.md.
QUOTAS = {
    # CloudWatch Logs, documented TPS per account and Region (the emulator is us-east-1-like:
    # GetLogEvents 25/s there, 10/s in a few other Regions; README.md)
    "GetLogEvents": (25, 25),
    "FilterLogEvents": (5, 5),
    "DescribeLogStreams": (25, 25),
    "DescribeLogGroups": (10, 10),
    "PutLogEvents": (5000, 5000),
    "CreateLogStream": (50, 50),
    "CreateLogGroup": (5, 5),
    # CloudWatch metrics (cloudwatch_limits.html): GetMetricData 50 TPS, ListMetrics 25 TPS
    "GetMetricData": (50, 50),
    "ListMetrics": (25, 25),
    # SageMaker publishes no per-API TPS (AWS_NOTES 1.6); these are the emulator's assumption
    "ListTrainingJobs": (10, 20),
    "DescribeTrainingJob": (10, 20),
    "Search": (10, 20),
    "CreateTrainingJob": (1, 5),
    "StopTrainingJob": (1, 5),
}


class Bucket:
    def __init__(self, rate, burst):
        self.rate, self.burst = float(rate), float(burst)
        self.tokens = float(burst)
        self.t = time.monotonic()

    def take(self, n=1.0):
        now = time.monotonic()
        self.tokens = min(self.burst, self.tokens + (now - self.t) * self.rate)
        self.t = now
        if self.tokens >= n:
            self.tokens -= n
            return True
        return False


# GetMetricData's datapoint quota (cloudwatch_limits.html): 180,000 datapoints per second when
# the request's StartTime is within 3 hours of now, 90,000 when it is older. A request counts
# the datapoints it asks for: every query's (EndTime - StartTime) / Period.
GMD_DPS_RECENT, GMD_DPS_OLD, GMD_RECENT_S = 180000, 90000, 3 * 3600


def gmd_datapoints(body):
    """(datapoints asked, StartTime is recent) of a JSON 1.0 GetMetricData body; (0, True) when
    it cannot be read (moto answers the malformed request)."""
    try:
        req = json.loads(body or b"{}")
        start, end = float(req["StartTime"]), float(req["EndTime"])
        n = 0
        for q in req.get("MetricDataQueries", []):
            period = float(q.get("MetricStat", {}).get("Period", 60)) or 60
            n += max(1, int((end - start + period - 1) // period))
        return n, time.time() - start <= GMD_RECENT_S
    except (ValueError, KeyError, TypeError):
        return 0, True


class State:
    """Everything the control API can change; guarded by `lock`."""

    def __init__(self, args):
        self.lock = threading.Lock()
        self.faults = {}
        self.fault_ops = None
        self.quotas_enabled = not args.no_quotas
        self.buckets = {}
        self.inflight = {}
        self.stats = {"requests": {}, "throttled": {}, "faults": {}, "status": {}}
        self.rng = random.Random(args.seed + 99)
        for f in args.fault:
            k, _, v = f.partition("=")
            self.faults[k] = float(v or 1)

    def count(self, kind, key):
        with self.lock:
            d = self.stats[kind]
            d[key] = d.get(key, 0) + 1

    def enter(self, op):
        """One more request of op in progress; stats.inflight_max keeps the most at once."""
        with self.lock:
            n = self.inflight[op] = self.inflight.get(op, 0) + 1
            m = self.stats.setdefault("inflight_max", {})
            m[op] = max(m.get(op, 0), n)

    def leave(self, op):
        with self.lock:
            self.inflight[op] -= 1

    def quota_ok(self, op, body=None):
        with self.lock:
            if not self.quotas_enabled or op not in QUOTAS:
                return True
            b = self.buckets.get(op)
            if b is None:
                b = self.buckets[op] = Bucket(*QUOTAS[op])
            if not b.take():
                return False
            if op != "GetMetricData":
                return True
            n, recent = gmd_datapoints(body)
            key = "GetMetricData:dps-recent" if recent else "GetMetricData:dps-old"
            dps = self.buckets.get(key)
            if dps is None:
                rate = GMD_DPS_RECENT if recent else GMD_DPS_OLD
                dps = self.buckets[key] = Bucket(rate, rate)
            return dps.take(n)

    def pick_fault(self, op):
        """Returns the fault to inject for this request (or None), and slow_ms to add."""
        with self.lock:
            if self.fault_ops is not None and op not in self.fault_ops:
                return None, 0
            slow = self.faults.get("slow_ms", 0)
            for name in ("reset", "truncate", "throttle", "5xx", "expired_token", "access_denied"):
                r = self.faults.get(name, 0)
                if r > 0 and self.rng.random() < r:
                    return name, slow
            return None, slow


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    p = s.getsockname()[1]
    s.close()
    return p


# ------------------------------------------------------------------------------------------------
# moto: auth mode, our handlers in its response classes
def cache_moto_lookups():
    """moto's server lists its own package directory (a listdir and ~170 isdir calls) on every
    request to find the backend for a Host header, and inspects its response class's methods
    to dispatch it. Neither changes in a run: compute each once.
    The emulators of a test run answer tens of thousands of requests, side by side on two cores,
    and those stat calls were most of their system time."""
    import moto.backends
    import moto.core.responses
    modules = tuple(moto.backends.list_of_moto_modules())
    moto.backends.list_of_moto_modules = lambda: modules
    # and every request lists its response class's methods (inspect.getmembers): once per class
    names = functools.lru_cache(maxsize=None)(moto.core.responses.method_names_from_class)
    moto.core.responses.method_names_from_class = names


def start_moto(port):
    import logging
    import moto.settings
    cache_moto_lookups()
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    moto.settings.INITIAL_NO_AUTH_ACTION_COUNT = 4
    from moto.server import ThreadedMotoServer
    srv = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    srv.start()
    return srv


def iam_call(endpoint, action, **params):
    """One IAM Query request to moto, as a client sends it but unsigned: moto takes the first
    INITIAL_NO_AUTH_ACTION_COUNT actions without checking the signature, and finds the service
    from the credential scope. The answer's XML, parsed. (A boto3 client here cost ~0.25 s of
    CPU per emulator: its session, service model and endpoint rules.)"""
    host, _, port = endpoint.rpartition("/")[2].partition(":")
    body = urllib.parse.urlencode(dict(params, Action=action, Version="2010-05-08"))
    conn = http.client.HTTPConnection(host, int(port), timeout=60)
    try:
        conn.request("POST", "/", body, {
            "Content-Type": "application/x-www-form-urlencoded; charset=utf-8",
            "Authorization": "AWS4-HMAC-SHA256 Credential=bootstrap/20200101/us-east-1/iam/"
                             "aws4_request, SignedHeaders=host, Signature=0"})
        r = conn.getresponse()
        data = r.read()
    finally:
        conn.close()
    if r.status != 200:
        raise RuntimeError("bootstrap: IAM %s answered %d: %s" % (action, r.status, data[:300]))
    root = ElementTree.fromstring(data)
    return {el.tag.rpartition("}")[2]: el.text for el in root.iter()}


def bootstrap_iam(endpoint):
    iam_call(endpoint, "CreateUser", UserName="sagetop-test")
    key = iam_call(endpoint, "CreateAccessKey", UserName="sagetop-test")
    pol = iam_call(endpoint, "CreatePolicy", PolicyName="allow-all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]}))
    iam_call(endpoint, "AttachUserPolicy", UserName="sagetop-test", PolicyArn=pol["Arn"])
    return key["AccessKeyId"], key["SecretAccessKey"]


def json_error(code, message, status=400):
    return status, {"Content-Type": AMZ_JSON, "x-amzn-ErrorType": code}, json.dumps(
        {"__type": code, "message": message})


def patch_s3_signature_path():
    """S3 signs the path exactly as the client encoded it (AWS checks it so). moto rebuilds it
    from werkzeug's decoded URL, so keys with '+', '%', '=', '&' or non-ASCII failed the
    signature check even from boto3: check S3 signatures against the raw request path."""
    from urllib.parse import urlparse
    from moto.core.authorization import ActionAuthenticatorMixin
    orig = ActionAuthenticatorMixin._authenticate_and_authorize_action

    def auth_with_raw_path(self, iam_request_cls, *args, **kwargs):
        raw, uri = getattr(self, "raw_path", None), getattr(self, "uri", None)
        if not raw or not uri or iam_request_cls.__name__ != "S3IAMRequest":
            return orig(self, iam_request_cls, *args, **kwargs)
        self.uri = urlparse(uri)._replace(path=raw).geturl()
        try:
            return orig(self, iam_request_cls, *args, **kwargs)
        finally:
            self.uri = uri
    ActionAuthenticatorMixin._authenticate_and_authorize_action = auth_with_raw_path


def patch_moto(store, engine):
    from moto.sagemaker.responses import SageMakerResponse
    from moto.logs.responses import LogsResponse

    def params(resp):
        body = resp.body
        if isinstance(body, bytes):
            body = body.decode("utf-8", "replace")
        try:
            p = json.loads(body or "{}")
        except ValueError:
            raise st.ApiError("SerializationException", "Could not parse request body")
        if not isinstance(p, dict):
            raise st.ApiError("SerializationException", "Request body must be a JSON object")
        return p

    def handler(fn, fallback=None, backend=False):
        def method(self):
            try:
                out = fn(self.sagemaker_backend, params(self)) if backend else fn(params(self))
                if out is None and fallback is not None:
                    return fallback(self)
                return json.dumps(out), {"status": 200, "Content-Type": AMZ_JSON}
            except st.ApiError as e:
                return json.dumps({"__type": e.code, "message": e.message}), {
                    "status": e.status, "Content-Type": AMZ_JSON, "x-amzn-ErrorType": e.code}
        method.__name__ = fn.__name__
        return method

    def create(p):
        errs = validation.validate("sagemaker", "CreateTrainingJob", p)
        # a container job (not serverless) needs these as in the older model
        if not errs:
            algo = p.get("AlgorithmSpecification")
            for k, v in (("algorithmSpecification", algo),
                         ("resourceConfig", p.get("ResourceConfig")),
                         ("stoppingCondition", p.get("StoppingCondition"))):
                if v is None:
                    errs.append(f"Value null at '{k}' failed to satisfy constraint: "
                                "Member must not be null")
            if algo is not None and not algo.get("TrainingImage") and not algo.get("AlgorithmName"):
                errs.append("Value null at 'algorithmSpecification.trainingImage' failed to "
                            "satisfy constraint: Member must not be null")
        if errs:
            raise st.ApiError("ValidationException", validation.message(errs))
        sc = p.get("StoppingCondition") or {}
        if p.get("EnableManagedSpotTraining") and not sc.get("MaxWaitTimeInSeconds"):
            raise st.ApiError("ValidationException", "Invalid MaxWaitTimeInSeconds. It is "
                              "required for managed spot training.")
        if sc.get("MaxWaitTimeInSeconds") and sc["MaxWaitTimeInSeconds"] < sc.get(
                "MaxRuntimeInSeconds", 0):
            raise st.ApiError("ValidationException", "Invalid MaxWaitTimeInSeconds. It must be "
                              "present and be greater than or equal to MaxRuntimeInSeconds")
        with store.lock:
            if p["TrainingJobName"] in store.jobs:
                raise st.ApiError("ResourceInUse", "Training job names must be unique within an "
                                  "AWS account and region, and a training job with this name "
                                  "already exists (%s)" % st.job_arn(p["TrainingJobName"]))
            j = scenario.create_from_request(store, engine, p)
            return {"TrainingJobArn": j.d["TrainingJobArn"]}

    def stop(p):
        errs = validation.validate("sagemaker", "StopTrainingJob", p)
        if errs:
            raise st.ApiError("ValidationException", validation.message(errs))
        return store.stop_training_job(p, engine.request_stop)

    def describe(p):
        errs = validation.validate("sagemaker", "DescribeTrainingJob", p)
        if errs:
            raise st.ApiError("ValidationException", validation.message(errs))
        return store.describe_training_job(p)

    from moto.sts.responses import TokenResponse
    orig_sts_auth = TokenResponse._authenticate_and_authorize_normal_action

    def sts_auth(self, *args, **kwargs):
        # AWS serves these unsigned: the web identity token (SAML assertion) is the credential
        if self._get_action() in answers.UNSIGNED_STS_ACTIONS:
            return None
        return orig_sts_auth(self, *args, **kwargs)
    TokenResponse._authenticate_and_authorize_normal_action = sts_auth

    orig_search = SageMakerResponse.search
    orig_create_tuning = SageMakerResponse.create_hyper_parameter_tuning_job

    def create_tuning(self):
        out = orig_create_tuning(self)
        tuning_launch.started(self.sagemaker_backend, params(self))
        return out
    SageMakerResponse.create_hyper_parameter_tuning_job = handler(tuning_launch.check_create,
                                                                  fallback=create_tuning)
    SageMakerResponse.stop_hyper_parameter_tuning_job = handler(tuning_launch.stop, backend=True)
    SageMakerResponse.create_training_job = handler(create)
    SageMakerResponse.describe_training_job = handler(describe)
    SageMakerResponse.list_training_jobs = handler(store.list_training_jobs)
    SageMakerResponse.stop_training_job = handler(stop)
    SageMakerResponse.search = handler(store.search, fallback=orig_search)
    SageMakerResponse.list_tags = handler(store.list_tags, fallback=SageMakerResponse.list_tags)
    SageMakerResponse.describe_hyper_parameter_tuning_job = handler(
        lambda p: tuning.describe(store, p), fallback=SageMakerResponse.describe_hyper_parameter_tuning_job)
    SageMakerResponse.list_hyper_parameter_tuning_jobs = handler(
        lambda b, p: tuning.list_tuning(store, p, b), backend=True,
        fallback=SageMakerResponse.list_hyper_parameter_tuning_jobs)
    SageMakerResponse.list_training_jobs_for_hyper_parameter_tuning_job = handler(
        lambda p: tuning.list_trials(store, p))
    patch_s3_signature_path()
    for name in ("create_log_group", "create_log_stream", "put_log_events", "describe_log_groups",
                 "describe_log_streams", "get_log_events", "filter_log_events"):
        setattr(LogsResponse, name, handler(getattr(store, name)))


# ------------------------------------------------------------------------------------------------
def aws_operation(headers, body):
    """(service, operation) of a request: from X-Amz-Target, else the Query protocol's Action."""
    target = headers.get("X-Amz-Target") or headers.get("x-amz-target")
    if target:
        svc, _, op = target.rpartition(".")
        return svc, op
    if body:
        try:
            from urllib.parse import parse_qs
            q = parse_qs(body.decode("latin-1"))
            if "Action" in q:
                return "query", q["Action"][0]
        except Exception:
            pass
    return "unknown", "unknown"


def is_json_protocol(headers):
    return bool(headers.get("X-Amz-Target"))


FAULT_BODIES = {
    "throttle": (400, "ThrottlingException", "Rate exceeded"),
    "expired_token": (400, "ExpiredTokenException",
                      "The security token included in the request is expired"),
    "access_denied": (400, "AccessDeniedException",
                      "User: arn:aws:iam::123456789012:user/sagetop-test is not authorized to "
                      "perform this action"),
}


class Front(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "AmazonEmulator"
    sys_version = ""

    def log_message(self, fmt, *a):
        if self.server.ctx["verbose"]:
            sys.stderr.write("emulator: " + (fmt % a) + "\n")

    # ---- plumbing
    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(n) if n else b""

    def _send(self, status, headers, body):
        if isinstance(body, str):
            body = body.encode()
        self.send_response(status)
        length = str(len(body))
        for k, v in headers.items():
            if k.lower() == "content-length" and self.command == "HEAD":
                length = v      # a HEAD answer says the size of what GET would send (S3)
            if k.lower() in ("content-length", "transfer-encoding", "connection", "server", "date"):
                continue
            self.send_header(k, v)
        self.send_header("Content-Length", length)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def do_GET(self):
        self.handle_any("GET")

    def do_POST(self):
        self.handle_any("POST")

    def do_PUT(self):
        self.handle_any("PUT")

    def do_DELETE(self):
        self.handle_any("DELETE")

    def do_HEAD(self):
        self.handle_any("HEAD")

    def handle_any(self, method):
        body = self._body()
        if self.path.startswith("/_emulator"):
            return self.control(method, body)
        ctx = self.server.ctx
        state = ctx["state"]
        svc, op = aws_operation(self.headers, body)
        state.count("requests", op)
        state.enter(op)
        try:
            return self.handle_aws(method, body, ctx, state, svc, op)
        finally:
            state.leave(op)

    def handle_aws(self, method, body, ctx, state, svc, op):
        json_proto = is_json_protocol(self.headers)
        rid = str(uuid.uuid4())
        fault, slow_ms = state.pick_fault(op)
        if slow_ms:
            time.sleep(slow_ms / 1000.0)
        if fault:
            state.count("faults", fault)
        if fault == "reset":
            # RST instead of an answer: SO_LINGER 0 then close
            import struct
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
            return
        if fault in FAULT_BODIES:
            status, code, msg = FAULT_BODIES[fault]
            if fault == "throttle":
                state.count("throttled", op)
            return self._error(json_proto, status, code, msg, rid)
        if fault == "5xx":
            if state.rng.random() < 0.5:
                return self._error(json_proto, 500, "InternalFailure" if svc.startswith("SageMaker")
                                   else "ServiceUnavailableException" if svc.startswith("Logs")
                                   else "InternalFailure",
                                   "We encountered an internal error. Please try again.", rid,
                                   status_override=500)
            return self._error(json_proto, 503, "ServiceUnavailable" if not svc.startswith("Logs")
                               else "ServiceUnavailableException",
                               "Service Unavailable", rid)
        if not state.quota_ok(op, body):
            state.count("throttled", op)
            return self._error(json_proto, 400, "ThrottlingException", "Rate exceeded", rid)
        if json_proto and not answers.is_signed(self.headers, self.path):
            status, headers, resp = answers.coral_error("MissingAuthenticationTokenException",
                                                        "Missing Authentication Token")
        elif (svc == "query" and op not in answers.UNSIGNED_STS_ACTIONS
              and not answers.is_signed(self.headers, self.path)):
            status, headers, resp = answers.query_missing_token(rid)
        else:
            status, headers, resp = self.forward(method, body)
            if json_proto:
                status, headers, resp = answers.json_auth_error(status, resp) or (
                    status, headers, resp)
        if svc == "query" and resp:
            resp = answers.same_request_id(resp, rid)
        state.count("status", str(status))
        if fault == "truncate" and resp:
            cut = max(1, len(resp) // 2)
            self.send_response(status)
            for k, v in headers:
                if k.lower() in ("content-length", "transfer-encoding", "connection", "server", "date"):
                    continue
                self.send_header(k, v)
            self.send_header("Content-Length", str(len(resp)))
            self.end_headers()
            self.wfile.write(resp[:cut])
            self.wfile.flush()
            self.close_connection = True
            try:
                self.connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            return
        self._send(status, answers.clean_headers(headers, rid), resp)

    def _error(self, json_proto, status, code, msg, rid, status_override=None):
        if json_proto:
            return self._send(status, {"Content-Type": AMZ_JSON, "x-amzn-RequestId": rid,
                                       "x-amzn-ErrorType": code},
                              json.dumps({"__type": code, "message": msg}))
        qcode = {"ThrottlingException": "Throttling"}.get(code, code)
        xml = ("<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error>"
               "<RequestId>%s</RequestId></ErrorResponse>" % (
                   "Receiver" if status >= 500 else "Sender", qcode, msg, rid))
        return self._send(status, {"Content-Type": "text/xml", "x-amzn-RequestId": rid}, xml)

    def forward(self, method, body):
        port = self.server.ctx["moto_port"]
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        try:
            conn.putrequest(method, self.path, skip_host=True, skip_accept_encoding=True)
            for k, v in self.headers.items():
                if k.lower() in ("connection", "keep-alive", "proxy-connection"):
                    continue
                conn.putheader(k, v)
            conn.endheaders(body if body else None)
            r = conn.getresponse()
            data = r.read()
            return r.status, r.getheaders(), data
        finally:
            conn.close()

    # ---- control API
    def control(self, method, body):
        ctx = self.server.ctx
        state, store, engine = ctx["state"], ctx["store"], ctx["engine"]
        path = self.path.split("?")[0].rstrip("/")
        what = path[len("/_emulator"):].lstrip("/")
        try:
            req = json.loads(body or b"{}") if body else {}
        except ValueError:
            return self._send(400, {"Content-Type": "application/json"},
                              json.dumps({"error": "body is not JSON"}))
        try:
            out = control_api(what, method, req, state, store, engine, ctx)
        except (KeyError, ValueError, TypeError, st.ApiError) as e:
            msg = e.message if isinstance(e, st.ApiError) else "%s: %s" % (type(e).__name__, e)
            return self._send(400, {"Content-Type": "application/json"}, json.dumps({"error": msg}))
        if out is None:
            return self._send(404, {"Content-Type": "application/json"},
                              json.dumps({"error": "unknown control endpoint " + what}))
        self._send(200, {"Content-Type": "application/json"}, json.dumps(out))


def control_api(what, method, req, state, store, engine, ctx):
    if what in ("", "info"):
        return {"endpoint": ctx["endpoint"], "scenario": ctx["scenario"], "speed": engine.speed,
                "jobs": len(store.jobs), "quotas": state.quotas_enabled, "faults": state.faults,
                "endpoints": ["faults", "quotas", "jobs", "logs", "job", "reset", "stats", "tuning"]}
    if what == "faults":
        if method == "POST":
            with state.lock:
                allowed = ("throttle", "5xx", "slow_ms", "reset", "truncate", "expired_token",
                           "access_denied")
                for k, v in req.items():
                    if k == "ops":
                        state.fault_ops = set(v) if v else None
                    elif k in allowed:
                        v = float(v)
                        if k != "slow_ms" and not 0 <= v <= 1:
                            raise ValueError("rate %s must be within 0..1" % k)
                        state.faults[k] = v
                    else:
                        raise ValueError("unknown fault %s (known: %s, ops)" % (k, ", ".join(allowed)))
        return {"faults": state.faults, "ops": sorted(state.fault_ops) if state.fault_ops else None}
    if what == "quotas":
        if method == "POST" and "enabled" in req:
            with state.lock:
                state.quotas_enabled = bool(req["enabled"])
                state.buckets.clear()
        return {"enabled": state.quotas_enabled,
                "quotas": {k: {"rate": r, "burst": b} for k, (r, b) in QUOTAS.items()}}
    if what == "reset":
        with state.lock:
            state.faults.clear()
            state.fault_ops = None
            state.buckets.clear()
            if req.get("stats"):
                state.stats = {"requests": {}, "throttled": {}, "faults": {}, "status": {}}
        return {"faults": {}}
    if what == "tuning":
        return tuning.control(store, req if method == "POST" else {})
    if what == "stats":
        with state.lock:
            return json.loads(json.dumps(state.stats))
    if what == "jobs":
        if method != "POST":
            return {"jobs": len(store.jobs)}
        return bulk_jobs(req, store)
    if what == "logs":
        name = req["job"]
        host = int(req.get("host", 1))
        with store.lock:
            j = store.get_job(name)
            t0 = j.d.get("TrainingStartTime") or j.d["CreationTime"]
            sname = scenario.stream_name(name, host, t0)
            lines = list(req.get("lines") or [])
            # AWS stores valid UTF-8 only (invalid bytes become U+FFFD); "surrogate" keeps each
            # bad byte as a lone surrogate, sent as a \udcXX escape a JSON parser must survive
            errors = "surrogateescape" if req.get("encoding") == "surrogate" else "replace"
            for b in req.get("lines_b64") or []:
                lines.append(base64.b64decode(b).decode("utf-8", errors))
            now = time.time()
            ts = req.get("timestamp_ms")
            store.put_events(st.LOG_GROUP, sname, [
                (int(ts if ts is not None else now * 1000) + i, ln) for i, ln in enumerate(lines)])
            return {"stream": sname, "appended": len(lines),
                    "events": len(store.groups[st.LOG_GROUP].streams[sname].ts)}
    if what == "job":
        name = req["name"]
        with store.lock:
            j = store.get_job(name)
            d = j.d
            now = time.time()
            d.update(copy.deepcopy(req.get("fields") or {}))   # members as given, e.g. RemoteDebugConfig
            if "secondary_status" in req:
                engine.transition(d, req["secondary_status"], req.get("message", "Set by the "
                                  "emulator control API"), now)
            if "status" in req:
                s = req["status"]
                if s not in st.JOB_STATUSES:
                    raise ValueError("status must be one of " + ", ".join(st.JOB_STATUSES))
                if s in st.TERMINAL:
                    if j.live is not None:
                        life = j.live
                        engine.lives.remove(life) if life in engine.lives else None
                        j.live = None
                        life.events = []
                    else:
                        life = scenario.Life(j, [], now, engine.speed, 1, None)
                    if "secondary_status" not in req:
                        engine.transition(d, s, "Set by the emulator control API", now)
                    engine.finish(life, s, now, req.get("failure_reason"))
                else:
                    d["TrainingJobStatus"] = s
                    d["LastModifiedTime"] = now
            return {"job": d["TrainingJobName"], "status": d["TrainingJobStatus"],
                    "secondary_status": d["SecondaryStatus"]}
    return None


def bulk_jobs(req, store):
    n = int(req.get("count", 1))
    prefix = req.get("prefix", "bulk-job")
    statuses = req.get("statuses") or ["Completed"]
    now = time.time()
    spacing = float(req.get("spacing_s", 1.0))
    base = scenario.describe_record(scenario.make_cfg("bulk-template", "imdb", scenario.VERSIONS[3],
                                                      5e-5, 1, 32), now)
    made = []
    with store.lock:
        start = len([k for k in store.jobs if k.startswith(prefix + "-")])
        for i in range(n):
            k = start + i
            name = "%s-%05d" % (prefix, k)
            status = statuses[i % len(statuses)]
            created = now - (n - i) * spacing
            d = json.loads(json.dumps(base))
            d.update({"TrainingJobName": name, "TrainingJobArn": st.job_arn(name),
                      "TrainingJobStatus": status,
                      "SecondaryStatus": status if status != "InProgress" else "Training",
                      "CreationTime": created, "LastModifiedTime": created + 1,
                      "TrainingStartTime": created})
            d["HyperParameters"]["sagemaker_job_name"] = json.dumps(name)
            d["SecondaryStatusTransitions"] = [{"Status": "Starting", "StartTime": created,
                                                "EndTime": created,
                                                "StatusMessage": "Preparing the instances for training"}]
            if status in st.TERMINAL:
                d["TrainingEndTime"] = created + 1
                d["TrainingTimeInSeconds"] = 1
                d["BillableTimeInSeconds"] = 1
                d["SecondaryStatusTransitions"].append({"Status": status, "StartTime": created + 1,
                                                        "EndTime": created + 1, "StatusMessage": ""})
            store.add_job(d, [])
            made.append(name)
    return {"created": len(made), "first": made[0] if made else None,
            "last": made[-1] if made else None, "jobs": len(store.jobs)}


# ------------------------------------------------------------------------------------------------
def main(argv=None):
    ap = argparse.ArgumentParser(description="sagetop's local AWS emulator (moto + scenarios)")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--scenario", choices=["demo", "empty", "scale", "ranks", "hostscale"],
                    default="demo")
    ap.add_argument("--hosts", type=int, default=8, help="hostscale: instances per job")
    ap.add_argument("--alert-jobs", action="store_true",
                    help="demo: two more live jobs for the alert rules, a loss that went nan "
                         "and a spot job Interrupted now (scenario.alert_jobs)")
    ap.add_argument("--tuning", action="store_true",
                    help="add tuning jobs whose trials are training jobs (tuning.py)")
    ap.add_argument("--host-metrics", action="store_true",
                    help="publish per-host CloudWatch metrics for the demo's jobs (hostmetrics.py)")
    ap.add_argument("--jobs", type=int, default=10000)
    ap.add_argument("--lines", type=int, default=100000)
    ap.add_argument("--log-jobs", type=int, default=1,
                    help="scale: spread --lines over the first N jobs, one stream each")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--speed", type=float, default=1.0)
    ap.add_argument("--fault", action="append", default=[], metavar="NAME=RATE")
    ap.add_argument("--no-quotas", action="store_true")
    ap.add_argument("--verbose", action="store_true")
    args = ap.parse_args(argv)
    if args.speed <= 0:
        ap.error("--speed must be > 0")

    store = st.Store()
    engine = scenario.Engine(store, speed=args.speed, seed=args.seed)
    state = State(args)
    patch_moto(store, engine)

    moto_port = free_port()
    moto_srv = start_moto(moto_port)
    moto_ep = "http://127.0.0.1:%d" % moto_port
    key_id, secret = bootstrap_iam(moto_ep)

    store.ensure_group(st.LOG_GROUP)
    if args.scenario == "demo":
        made = scenario.demo(store, engine, seed=args.seed)
        if args.alert_jobs:
            made += scenario.alert_jobs(store, engine, seed=args.seed)
        if args.host_metrics:
            import hostmetrics
            hostmetrics.publish(moto_ep, key_id, secret, made, seed=args.seed)
    elif args.scenario == "scale":
        scenario.scale(store, engine, args.jobs, args.lines, seed=args.seed,
                       log_jobs=args.log_jobs)
    elif args.scenario == "ranks":
        scenario.ranks(store, engine)
    elif args.scenario == "hostscale":
        import hostmetrics
        made = scenario.hostscale(store, args.jobs, args.hosts)
        hostmetrics.publish(moto_ep, key_id, secret, made, seed=args.seed, only=None)
    if args.tuning:
        tuning.install(store, engine, seed=args.seed)
    engine.start()

    httpd = ThreadingHTTPServer(("127.0.0.1", args.port), Front)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    endpoint = "http://127.0.0.1:%d" % port
    httpd.ctx = {"state": state, "store": store, "engine": engine, "moto_port": moto_port,
                 "endpoint": endpoint, "scenario": args.scenario, "verbose": args.verbose}
    t = threading.Thread(target=httpd.serve_forever, name="front", daemon=True)
    t.start()

    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *a: done.set())
    signal.signal(signal.SIGINT, lambda *a: done.set())
    out = sys.stdout
    for line in ("AWS_ENDPOINT_URL=" + endpoint, "AWS_ACCESS_KEY_ID=" + key_id,
                 "AWS_SECRET_ACCESS_KEY=" + secret, "AWS_REGION=us-east-1",
                 "AWS_DEFAULT_REGION=us-east-1", "SAGETOP_EMULATOR_CONTROL=%s/_emulator" % endpoint,
                 "READY"):
        out.write(line + "\n")
        out.flush()
    while not done.wait(0.5):
        pass
    engine.stop()
    httpd.shutdown()
    httpd.server_close()
    try:
        moto_srv.stop()
    except Exception:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
