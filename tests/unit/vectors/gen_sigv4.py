#!/usr/bin/env python3
"""gen_sigv4.py: SigV4 test vectors made by botocore's own signer, at test time.

Prints one JSON array on stdout. Each vector describes a request the way sagetop holds it
(method, host, the path and query exactly as sent, the headers it signs, the body in hex) and
what botocore's SigV4Auth / S3SigV4Auth made of it at a frozen clock: the canonical request,
the string to sign, the signature, and the headers the signer added.

botocore is given the *unencoded* query parameters (it encodes them itself), and the path as
the service serialisers would send it, so the C side's encoding is checked against botocore's,
not against this script. Deterministic (fixed seed): the same vectors on every run.
Usage: gen_sigv4.py [--count-only]
"""
import datetime
import json
import random
import sys
from unittest import mock
from urllib.parse import quote

import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
TOKENS = [
    "FQoGZXIvYXdzEXAMPLETOKEN",
    "IQoJb3JpZ2luX2VjEHcaCXVzLWVhc3QtMSJHMEUCIQD//+/examplesessiontoken==",
]
REGIONS = ["us-east-1", "eu-west-1", "cn-north-1", "ap-southeast-2"]
JSON_TARGETS = {
    "sagemaker": ("api.sagemaker.{r}.amazonaws.com", "SageMaker",
                  ["ListTrainingJobs", "DescribeTrainingJob", "CreateTrainingJob",
                   "StopTrainingJob", "Search"]),
    "logs": ("logs.{r}.amazonaws.com", "Logs_20140328",
             ["GetLogEvents", "FilterLogEvents", "DescribeLogStreams"]),
}
S3_KEYS = [
    "hf-job-1/source/sourcedir.tar.gz", "my file.txt", "a+b=c.txt", "tilde~name/x~y",
    "ünïcødé/数据/ファイル.json", "dollar$and&amp;.txt", "spaces  twice /end/", "percent%20lit",
    "colon:semi;comma,.txt", "./dot/../segments", "a//double//slash", "emoji-\U0001F600.bin",
    "brackets[1](2){3}", "quote'\"back`tick", "star*at@hash#", "question?mark", "plain",
]
QUERY_VALUES = [
    "", "1", "a b", "a+b", "a/b", "~tilde", "x=y", "semi;colon", "comma,list", "50%",
    "ünï", "数据", "\U0001F600", "!*'()", "[]", "a&b", "-_.~", "UPPER lower", "@:$",
]
HEADER_VALUES = [
    "plain", "  leading and trailing  ", "runs   of    spaces", "tab\there", "a,b,c",
    "MiXeD CaSe", "x" * 300, "quoted \"value\"", "colon: inside", "",
]


def frozen(ts):
    dt = datetime.datetime.fromtimestamp(ts, datetime.timezone.utc).replace(tzinfo=None)
    return mock.patch.object(botocore.auth, "get_current_datetime", lambda *a, **k: dt)


def wrap(signer, method, seen):
    """Records what one of botocore's own stages returns while add_auth() runs."""
    real = getattr(signer, method)

    def recorder(*args, **kwargs):
        seen[method] = real(*args, **kwargs)
        return seen[method]
    setattr(signer, method, recorder)


def sign(v):
    """Signs vector v with botocore and adds its results to v."""
    creds = Credentials(AKID, SECRET, v["token"] or None)
    s3 = v["s3"]
    cls = botocore.auth.S3SigV4Auth if s3 else botocore.auth.SigV4Auth
    signer = cls(creds, v["service"], v["region"])
    url = f'{v["scheme"]}://{v["host"]}{v["path"]}'
    body = bytes.fromhex(v["body_hex"])
    req = AWSRequest(method=v["method"], url=url, data=body if body else None,
                     params=v.pop("params"))
    for name, value in v["headers"]:
        req.headers[name] = value          # HTTPHeaders: a repeated name is appended
    if s3 and v["unsigned"]:
        req.context["client_config"] = Config(s3={"payload_signing_enabled": False})
    seen = {}
    wrap(signer, "canonical_request", seen)
    wrap(signer, "string_to_sign", seen)
    wrap(signer, "signature", seen)
    with frozen(v["time"]):
        signer.add_auth(req)
    ts = req.context["timestamp"]
    creq, sts, sig = seen["canonical_request"], seen["string_to_sign"], seen["signature"]
    added = {}
    for name in ("X-Amz-Date", "X-Amz-Security-Token", "X-Amz-Content-SHA256",
                 "Authorization"):
        if name in req.headers:
            added[name] = req.headers[name]
    v.update(amz_date=ts, creq=creq, sts=sts, signature=sig, added=added)
    return v


def encode_query(params, twist):
    """The query as sagetop would send it; twist varies the (equivalent) escapes so that the
    signer's decode-and-re-encode is exercised."""
    out = []
    for k, val in params:
        ek, ev = quote(k, safe="-_.~"), quote(val, safe="-_.~")
        if twist == "lower":
            ek, ev = lower_escapes(ek), lower_escapes(ev)
        elif twist == "tilde":
            ev = ev.replace("~", "%7E")
        out.append(f"{ek}={ev}" if (val != "" or twist != "bare") else ek)
    return "&".join(out)


def lower_escapes(s):
    res, i = [], 0
    while i < len(s):
        if s[i] == "%":
            res.append(s[i:i + 3].lower())
            i += 3
        else:
            res.append(s[i])
            i += 1
    return "".join(res)


def base(group, name, **kw):
    v = dict(group=group, name=name, method="GET", scheme="https", host="", path="/",
             query="", params=[], headers=[], body_hex="", token="", s3=False, unsigned=False,
             service="", region="us-east-1", time=1677672000)
    v.update(kw)
    return v


def json_post(rng, svc, i, token=False, body=None):
    host_t, prefix, ops = JSON_TARGETS[svc]
    region = rng.choice(REGIONS)
    op = rng.choice(ops)
    if body is None:
        body = json.dumps({"MaxResults": rng.randint(1, 100), "NameContains": rng.choice(
            ["hf", "bert large", "ü-job", ""]), "NextToken": "tok/+=" * rng.randint(0, 5)},
            separators=(",", ":"))
    return base(f"{svc}_json", f"{svc}_{op}_{i}", method="POST",
                host=host_t.format(r=region), region=region, service=svc,
                headers=[("Content-Type", "application/x-amz-json-1.1"),
                         ("X-Amz-Target", f"{prefix}.{op}")],
                body_hex=body.encode().hex(), token=rng.choice(TOKENS) if token else "",
                time=1600000000 + rng.randint(0, 10**8))


def fixed_vectors():
    vs = [
        json_post(random.Random(1), "sagemaker", "empty_object", body="{}"),
        json_post(random.Random(2), "sagemaker", "no_body", body=""),
        json_post(random.Random(3), "logs", "session_token", token=True),
        base("s3", "s3_put_unsigned_payload", method="PUT", service="s3", s3=True,
             unsigned=True, host="my-bucket.s3.us-east-1.amazonaws.com",
             path="/hf-job-1/source/sourcedir.tar.gz",
             headers=[("Content-Type", "application/x-tar")], body_hex=b"hello world".hex()),
        base("s3", "s3_put_signed_payload", method="PUT", service="s3", s3=True,
             host="my-bucket.s3.us-east-1.amazonaws.com",
             path="/hf-job-1/source/sourcedir.tar.gz",
             headers=[("Content-Type", "application/x-tar")], body_hex=b"hello world".hex()),
        base("s3", "s3_put_large_body", method="PUT", service="s3", s3=True,
             host="b.s3.eu-west-1.amazonaws.com", region="eu-west-1", path="/big.bin",
             body_hex=bytes(range(256)).hex() * 1024),
        base("s3", "s3_custom_endpoint_path_style", method="HEAD", service="s3", s3=True,
             scheme="http", host="127.0.0.1:5000", path="/bucket/" + quote("my key+1~.txt",
                                                                         safe="/~")),
        base("s3", "s3_create_bucket_empty_body", method="PUT", service="s3", s3=True,
             host="new-bucket.s3.us-east-1.amazonaws.com", path="/"),
        base("sts", "sts_get_caller_identity_form", method="POST", service="sts",
             host="sts.amazonaws.com",
             headers=[("Content-Type", "application/x-www-form-urlencoded; charset=utf-8")],
             body_hex=b"Action=GetCallerIdentity&Version=2011-06-15".hex()),
        base("sts", "sts_assume_role_query", method="GET", service="sts",
             host="sts.us-east-1.amazonaws.com",
             params=[("Action", "AssumeRole"), ("RoleArn", "arn:aws:iam::123456789012:role/x y"),
                     ("RoleSessionName", "sagetop-1"), ("Version", "2011-06-15")]),
        base("headers", "header_repeated_names", service="service", host="example.amazonaws.com",
             headers=[("X-Amz-Meta-Dup", "one"), ("x-amz-meta-dup", "  two  three ")]),
        base("headers", "header_user_agent_and_expect_unsigned", method="PUT",
             service="service", host="example.amazonaws.com",
             headers=[("User-Agent", "sagetop/0.1"), ("Expect", "100-continue"),
                      ("X-Amzn-Trace-Id", "Root=1"), ("My-Header", "v")]),
        base("headers", "header_empty_value", service="service", host="example.amazonaws.com",
             headers=[("X-Empty", ""), ("X-Spaces", "    ")]),
        base("path", "path_dot_segments", service="service", host="example.amazonaws.com",
             path="/a/./b/../c/"),
        base("path", "path_double_slash", service="service", host="example.amazonaws.com",
             path="//example//"),
        base("path", "path_double_encoded_space", service="service",
             host="example.amazonaws.com", path="/example%20space/"),
        base("path", "path_only_dotdot", service="service", host="example.amazonaws.com",
             path="/../.."),
        base("path", "path_unicode_encoded", service="service", host="example.amazonaws.com",
             path="/" + quote("ሴ", safe="")),
        base("query", "query_repeated_key_sorted_by_value", service="service",
             host="example.amazonaws.com",
             params=[("Param", "value2"), ("Param", "value1"), ("Param", "")]),
        base("query", "query_key_case_order", service="service", host="example.amazonaws.com",
             params=[("b", "1"), ("B", "2"), ("a", "3"), ("A", "4"), ("_", "5")]),
        base("query", "query_empty_key_value", service="service", host="example.amazonaws.com",
             params=[("Param1", "")]),
        base("query", "query_prefix_keys", service="service", host="example.amazonaws.com",
             params=[("a-b", "1"), ("a", "2"), ("ab", "3"), ("a.b", "4")]),
        base("session", "session_token_get", service="service", host="example.amazonaws.com",
             token=TOKENS[1]),
        base("session", "session_token_caller_header_replaced", method="POST", service="logs",
             host="logs.us-east-1.amazonaws.com", token=TOKENS[0],
             headers=[("X-Amz-Security-Token", "stale"), ("X-Amz-Date", "19990101T000000Z")]),
    ]
    for v in vs:
        if v["params"] and not v["query"]:
            v["query"] = encode_query(v["params"], "")
    return vs


def random_vectors(rng, n):
    vs = []
    for i in range(n):
        kind = i % 5
        if kind == 0:
            v = json_post(rng, "sagemaker", i, token=rng.random() < 0.4)
        elif kind == 1:
            v = json_post(rng, "logs", i, token=rng.random() < 0.5)
        elif kind == 2:
            key = rng.choice(S3_KEYS)
            region = rng.choice(REGIONS)
            method = rng.choice(["GET", "PUT", "HEAD"])
            body = bytes(rng.getrandbits(8) for _ in range(rng.choice([0, 1, 17, 5000])))
            custom = rng.random() < 0.3
            host = "127.0.0.1:4566" if custom else f"bkt-{i}.s3.{region}.amazonaws.com"
            path = ("/bkt-%d/" % i if custom else "/") + quote(key, safe="/~")
            v = base("s3", f"s3_{method.lower()}_{i}", method=method, service="s3", s3=True,
                     scheme="http" if custom else "https", host=host, region=region,
                     path=path, body_hex=body.hex() if method == "PUT" else "",
                     unsigned=(method == "PUT" and rng.random() < 0.3),
                     token=rng.choice(TOKENS) if rng.random() < 0.3 else "",
                     headers=[("Content-Type", "application/octet-stream")]
                     if method == "PUT" else [])
        elif kind == 3:
            params = [(rng.choice(["Action", "key", "Key", "prefix", "ü", "a b", "max-keys",
                                   "list-type", "x~y", "a+b"]), rng.choice(QUERY_VALUES))
                      for _ in range(rng.randint(1, 6))]
            twist = rng.choice(["", "lower", "tilde"])
            v = base("query", f"query_{i}", service=rng.choice(["service", "s3", "sts"]),
                     host="example.amazonaws.com", params=params,
                     query=encode_query(params, twist), s3=False,
                     token=rng.choice(TOKENS) if rng.random() < 0.2 else "")
            if v["service"] == "s3":
                v["s3"] = True
        else:
            hdrs = [(rng.choice(["X-Amz-Meta-A", "x-amz-meta-b", "My-Header", "X-Custom",
                                 "Content-Type", "x-amz-meta-a"]), rng.choice(HEADER_VALUES))
                    for _ in range(rng.randint(1, 5))]
            v = base("headers", f"headers_{i}", method=rng.choice(["GET", "POST", "DELETE"]),
                     service="service", host="example.amazonaws.com", headers=hdrs,
                     body_hex=rng.choice(["", b"Param1=value1".hex()]))
        vs.append(v)
    return vs


def main():
    rng = random.Random(20230301)
    vs = fixed_vectors() + random_vectors(rng, 110)
    out = [sign(v) for v in vs]
    if "--count-only" in sys.argv:
        print(len(out))
        return
    json.dump(out, sys.stdout, ensure_ascii=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
