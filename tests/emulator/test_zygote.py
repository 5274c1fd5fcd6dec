"""zygote.py, the pre-forking emulator starter of tests/run.sh: a request with the token gets a
forked emulator.py with the requested arguments, working directory and output files, and its exit
status in the STATUS file; a run request ("run:" + the token) runs a Python script the same way
and answers its exit status on the connection; a request without the token gets nothing."""
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

HERE = os.path.dirname(os.path.abspath(__file__))
TOKEN = "test-token-%d" % os.getpid()


def request(port, fields):
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(b"".join(f.encode() + b"\0" for f in fields))
        s.shutdown(socket.SHUT_WR)
        return s.makefile("rb").readline().decode().strip()


def read(path):
    with open(path) as f:
        return f.read()


def wait_for(cond, secs=60):
    end = time.time() + secs
    while time.time() < end:
        if cond():
            return True
        time.sleep(0.05)
    return cond()


class ZygoteTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        env = dict(os.environ, SAGETOP_EMU_ZYGOTE_TOKEN=TOKEN)
        cls.zygote = subprocess.Popen([sys.executable, os.path.join(HERE, "zygote.py")], env=env,
                                      stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        cls.port = None
        for line in cls.zygote.stdout:
            if line.startswith("PORT="):
                cls.port = int(line[5:])
            if line.strip() == "READY":
                break
        cls.tmp = tempfile.TemporaryDirectory(prefix="sagetop-zygote-test.")

    @classmethod
    def tearDownClass(cls):
        cls.zygote.terminate()
        cls.zygote.wait(30)
        cls.zygote.stdout.close()
        cls.zygote.stderr.close()
        cls.tmp.cleanup()

    def test_forks_an_emulator_as_asked(self):
        self.assertIsNotNone(self.port, "the zygote printed PORT=")
        d = self.tmp.name
        out, err, status = (os.path.join(d, n) for n in ("out", "err", "status"))
        env = ["HOME=" + d, "PATH=" + os.environ.get("PATH", "")]
        args = ["--port", "0", "--scenario", "empty", "--no-quotas"]
        pid = int(request(self.port, [TOKEN, out, err, status, d, str(len(env)), str(len(args)),
                                      *env, *args]))
        try:
            self.assertTrue(wait_for(lambda: "READY" in open(out).read() if os.path.exists(out)
                                     else False), "READY in the output file")
            self.assertEqual(os.readlink("/proc/%d/cwd" % pid), os.path.realpath(d))
            lines = dict(ln.split("=", 1) for ln in open(out).read().split() if "=" in ln)
            with urllib.request.urlopen(lines["SAGETOP_EMULATOR_CONTROL"] + "/jobs",
                                        timeout=30) as r:
                self.assertEqual(json.loads(r.read()), {"jobs": 0}, "--scenario empty")
            self.assertFalse(os.path.exists(status), "no status while it runs")
        finally:
            os.kill(pid, signal.SIGTERM)
        self.assertTrue(wait_for(lambda: os.path.exists(status)), "the status file is written")
        rc, user, sys_s = open(status).read().split()
        self.assertEqual(rc, "0")
        self.assertGreater(float(user) + float(sys_s), 0)

    def test_runs_python_and_answers_its_status_on_the_connection(self):
        self.assertIsNotNone(self.port, "the zygote printed PORT=")
        d = self.tmp.name
        stdin, out, err = (os.path.join(d, n) for n in ("run.in", "run.out", "run.err"))
        with open(stdin, "w") as f:
            f.write("import os, sys, boto3\n"
                    "print(sys.argv, os.getcwd(), os.environ['WHO'], sys.path[0] == '', __name__)\n"
                    "print('to stderr', file=sys.stderr)\n"
                    "sys.exit(7)\n")
        for path in (out, err):
            open(path, "w").close()
        env = ["WHO=run-test", "PATH=" + os.environ.get("PATH", "")]
        args = ["-", "a", "b c"]
        with socket.create_connection(("127.0.0.1", self.port), timeout=60) as s:
            s.sendall(b"".join(f.encode() + b"\0" for f in
                               ["run:" + TOKEN, stdin, out, err, d, str(len(env)),
                                str(len(args)), *env, *args]))
            answer = s.makefile("rb")
            pid = int(answer.readline())
            self.assertGreater(pid, 0)
            rc, user, sys_s = answer.readline().decode().split()
        self.assertEqual(rc, "7", "the exit status comes back on the connection")
        self.assertGreater(float(user) + float(sys_s), 0)
        self.assertEqual(read(out),
                         "['-', 'a', 'b c'] %s run-test True __main__\n" % os.path.realpath(d))
        self.assertEqual(read(err), "to stderr\n")

    def test_a_run_whose_requester_hangs_up_is_terminated(self):
        self.assertIsNotNone(self.port, "the zygote printed PORT=")
        d = self.tmp.name
        out = os.path.join(d, "hang.out")
        open(out, "w").close()
        args = ["-c", "import time; print('started', flush=True); time.sleep(600)"]
        s = socket.create_connection(("127.0.0.1", self.port), timeout=60)
        s.sendall(b"".join(f.encode() + b"\0" for f in
                           ["run:" + TOKEN, os.devnull, out, os.devnull, d, "0", str(len(args)),
                            *args]))
        pid = int(s.makefile("rb").readline())
        self.assertTrue(wait_for(lambda: read(out) == "started\n"), "the run started")
        s.close()
        self.assertTrue(wait_for(lambda: not os.path.exists("/proc/%d" % pid), 30),
                        "the run is terminated and reaped")

    def test_lib_sh_starts_its_emulator_and_python_through_the_zygote(self):
        """tests/lib.sh's side: emu_start's request and pyrun's (arguments, stdin, a process
        substitution, output to a file, exit status) reach the zygote, no fallback."""
        self.assertIsNotNone(self.port, "the zygote printed PORT=")
        top = os.path.dirname(os.path.dirname(HERE))
        script = r'''
source "$SAGETOP_TOP/tests/lib.sh"
emu_start --scenario empty --no-quotas || exit 9
echo "forked=${#_zpids[@]}"
pyrun - one "two words" <<'PY'
import sys; print("args", sys.argv[1:])
PY
pyrun -c 'import sys; print("procsub", open(sys.argv[1]).read().strip())' <(echo piped)
pyrun -c 'print("to a file")' >"$TMPD/f"; pyrun -c 'print("appended")' >>"$TMPD/f"; cat "$TMPD/f"
echo in | pyrun -c 'import sys; sys.exit(int(sys.stdin.read() == "in\n") + 4)'; echo "rc=$?"
'''
        env = dict(os.environ, SAGETOP_TOP=top, PYTHON=sys.executable,
                   SAGETOP_EMU_ZYGOTE="127.0.0.1:%d" % self.port, SAGETOP_EMU_ZYGOTE_TOKEN=TOKEN)
        r = subprocess.run(["bash", "-c", script], env=env, capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(r.returncode, 0, r.stderr)
        out = r.stdout
        self.assertNotIn("zygote did not answer", out + r.stderr)
        self.assertIn("forked=1\n", out)
        self.assertIn("args ['one', 'two words']\n", out)
        self.assertIn("procsub piped\n", out)
        self.assertIn("to a file\nappended\n", out)
        self.assertIn("rc=5\n", out)
        self.assertRegex(out, r"# cpu: emulator [0-9.]+ s user \+ [0-9.]+ s sys \(forked by the "
                              r"zygote; exit 0\)")
        self.assertRegex(out, r"\(forked by the zygote: 5 pyrun scripts\)")

    def test_refuses_a_request_without_the_token(self):
        self.assertIsNotNone(self.port, "the zygote printed PORT=")
        d = self.tmp.name
        answer = request(self.port, ["wrong", os.path.join(d, "o2"), os.path.join(d, "e2"),
                                     os.path.join(d, "s2"), d, "0", "2", "--port", "0"])
        self.assertEqual(answer, "")
        self.assertFalse(os.path.exists(os.path.join(d, "o2")))


if __name__ == "__main__":
    unittest.main()
