"""Test helper: starts emulator.py as a subprocess and hands out boto3 clients for it."""
import json
import os
import subprocess
import sys
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


class Emulator:
    def __init__(self, *args, timeout=60):
        self.proc = subprocess.Popen(
            [sys.executable, os.path.join(HERE, "emulator.py"), "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.env = {}
        t_end = time.time() + timeout
        while time.time() < t_end:
            line = self.proc.stdout.readline()
            if not line:
                err = self.proc.stderr.read()
                raise RuntimeError("emulator exited before READY:\n" + err[-3000:])
            line = line.rstrip("\n")
            if line == "READY":
                break
            k, _, v = line.partition("=")
            self.env[k] = v
        else:
            self.stop()
            raise RuntimeError("emulator not READY in time")
        self.endpoint = self.env["AWS_ENDPOINT_URL"]
        self.control = self.env["SAGETOP_EMULATOR_CONTROL"]

    def client(self, service, secret=None, key_id=None, retries=1, timeout=30):
        return boto3.client(
            service, endpoint_url=self.endpoint, region_name="us-east-1",
            aws_access_key_id=key_id or self.env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=secret or self.env["AWS_SECRET_ACCESS_KEY"],
            config=Config(retries={"total_max_attempts": retries, "mode": "standard"},
                          read_timeout=timeout, connect_timeout=5))

    def ctl(self, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.control + "/" + path, data=data,
                                     headers={"Content-Type": "application/json"},
                                     method="GET" if body is None else "POST")
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                # its shutdown (engine, front server, moto) takes seconds on a loaded machine
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        for f in (self.proc.stdout, self.proc.stderr):
            if f:
                f.close()
        return self.proc.returncode


def error_code(exc):
    return exc.response["Error"]["Code"]
