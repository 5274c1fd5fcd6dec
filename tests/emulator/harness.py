"""Test helper: starts emulator.py as a subprocess and hands out boto3 clients for it.
Under tests/run.sh (SAGETOP_EMU_ZYGOTE set) the emulator is forked by tests/emulator/zygote.py,
moto already imported; its output goes to temp files instead of pipes, the rest is the same."""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request

import boto3
from botocore.config import Config

HERE = os.path.dirname(os.path.abspath(__file__))


class Forked:
    """The part of subprocess.Popen that Emulator uses, for an emulator the zygote forked: its
    stdout and stderr are files in a temp dir, its exit status the STATUS file the zygote
    writes ("RC USER SYS"). None when the zygote does not answer."""

    @classmethod
    def start(cls, args):
        host, _, port = os.environ["SAGETOP_EMU_ZYGOTE"].rpartition(":")
        tmp = tempfile.mkdtemp(prefix="sagetop-emu.")
        out, err, status = (os.path.join(tmp, n) for n in ("out", "err", "status"))
        env = ["%s=%s" % kv for kv in os.environ.items()]
        fields = [os.environ.get("SAGETOP_EMU_ZYGOTE_TOKEN", ""), out, err, status, os.getcwd(),
                  str(len(env)), str(len(args) + 2), *env, "--port", "0", *args]
        try:
            with socket.create_connection((host, int(port)), timeout=30) as s:
                s.sendall(b"".join(f.encode("utf-8", "surrogateescape") + b"\0" for f in fields))
                answer = s.makefile("rb").readline().strip()
            pid = int(answer)
        except (OSError, ValueError):
            shutil.rmtree(tmp, ignore_errors=True)
            return None
        self = cls()
        self.pid, self.tmp, self.status, self.returncode = pid, tmp, status, None
        for name in (out, err):   # the child creates them; wait until both exist
            while not os.path.exists(name) and self.poll() is None:
                time.sleep(0.01)
        self.stdout = Lines(out, self)
        self.stderr = Lines(err, self)
        return self

    def poll(self):
        if self.returncode is None and os.path.exists(self.status):
            with open(self.status) as f:
                rc, user, sys_s = f.read().split()
            self.returncode = int(rc)
            print("# cpu: emulator %s s user + %s s sys (forked by the zygote; exit %s)"
                  % (user, sys_s, rc), file=sys.stderr)
        return self.returncode

    def send_signal(self, sig):
        if self.poll() is None:
            try:
                os.kill(self.pid, sig)
            except ProcessLookupError:
                pass

    def terminate(self):
        self.send_signal(signal.SIGTERM)

    def kill(self):
        self.send_signal(signal.SIGKILL)

    def wait(self, timeout=None):
        end = None if timeout is None else time.time() + timeout
        while self.poll() is None:
            if end is not None and time.time() > end:
                raise subprocess.TimeoutExpired("emulator", timeout)
            time.sleep(0.02)
        return self.returncode

    def cleanup(self):
        """Removes the temp dir of its output (Emulator.stop, once the files are closed)."""
        shutil.rmtree(self.tmp, ignore_errors=True)


class Lines:
    """A file another process writes, read like a pipe: readline() waits for a whole line and
    returns "" once the writer has exited and the file is read to its end."""

    def __init__(self, path, proc):
        self.f, self.proc, self.buf = open(path), proc, ""

    def readline(self):
        while "\n" not in self.buf:
            chunk = self.f.read()
            if chunk:
                self.buf += chunk
                continue
            if self.proc.poll() is not None:
                self.buf += self.f.read()
                break
            time.sleep(0.01)
        line, nl, self.buf = self.buf.partition("\n")
        return line + nl

    def read(self):
        out, self.buf = self.buf + self.f.read(), ""
        return out

    def close(self):
        self.f.close()


class Emulator:
    def __init__(self, *args, timeout=60):
        self.proc = None
        if os.environ.get("SAGETOP_EMU_ZYGOTE"):
            self.proc = Forked.start(list(args))
        if self.proc is None:
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
        if isinstance(self.proc, Forked):
            self.proc.cleanup()
        return self.proc.returncode


def error_code(exc):
    return exc.response["Error"]["Code"]
