#!/usr/bin/env python3
"""A pre-forking starter for emulator.py: imports moto, boto3 and the emulator once, then forks a
fresh emulator per request, so a test run pays Python's and moto's import (about 1.5 s of CPU)
once instead of once per script.

tests/run.sh starts it and exports SAGETOP_EMU_ZYGOTE=HOST:PORT:TOKEN; tests/lib.sh's emu_start
and harness.Emulator use it when that is set and start emulator.py themselves when it is not (a
script run alone). Each forked emulator is the same program with its own arguments, port, state,
environment and working directory: the child takes the requester's environment and cwd, points
its stdout/stderr at the requester's files, reseeds `random` and runs emulator.main(args). It owns
no state of the zygote's and must not share any: the zygote imports modules and starts no
thread, opens no AWS session and creates no client before it forks. What only an interpreter's
start reads (PYTHONPATH, PYTHONHASHSEED, LD_PRELOAD) is the zygote's: a test that needs its own
must start emulator.py itself (TEST_ZYGOTE=0 for a whole run).

Protocol, one request per loopback TCP connection (bash opens it with /dev/tcp, no process):
NUL-terminated fields TOKEN, OUT, ERR, STATUS, CWD, N_ENV, N_ARGS, then N_ENV "KEY=VALUE" and
N_ARGS arguments. The answer is one line: the child's pid, or "ERR message". When the child
exits the zygote writes "RC USER SYS" to the STATUS file: its exit status (as subprocess reports
it: negative for a signal) and the CPU seconds it used (written aside and renamed, so a reader never sees half of it). On SIGTERM/SIGINT,
or when its parent goes, the zygote terminates the emulators still running and exits.
Prints PORT=... and READY on stdout once listening.
"""
import os
import random
import select
import signal
import socket
import sys
import traceback

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)


def preload():
    """What every emulator imports on its start-up path (emulator.start_moto, patch_moto,
    bootstrap_iam and the backends its first requests load). Imports only: no thread, no
    session, no socket."""
    import emulator  # noqa: F401  (answers, store, scenario, tuning, validation, tuning_launch)
    import hostmetrics  # noqa: F401
    import boto3  # noqa: F401
    import botocore.session  # noqa: F401
    import moto.backends  # noqa: F401
    import moto.core.responses  # noqa: F401
    import moto.core.authorization  # noqa: F401
    import moto.settings  # noqa: F401
    import moto.server  # noqa: F401
    for mod in ("sagemaker", "logs", "sts", "iam", "s3", "cloudwatch"):
        for part in ("models", "responses", "urls"):
            try:
                __import__("moto.%s.%s" % (mod, part))
            except ImportError:
                pass
    return emulator


def read_request(conn):
    """The request's fields, or None when it is incomplete or malformed."""
    buf = b""
    conn.settimeout(10)
    while True:
        fields = buf.split(b"\0")
        if len(fields) > 7:
            try:
                n_env, n_args = int(fields[5]), int(fields[6])
            except ValueError:
                return None
            if len(fields) > 7 + n_env + n_args:
                return [f.decode("utf-8", "surrogateescape") for f in fields[:7 + n_env + n_args]]
        try:
            chunk = conn.recv(65536)
        except OSError:
            return None
        if not chunk:
            return None
        buf += chunk


def child(emulator, listener, conn, out, err, cwd, env, args):
    """In the forked child: becomes `emulator.py ARGS` run from CWD with ENV; never returns."""
    rc = 1
    try:
        listener.close()
        conn.close()
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        fd_in = os.open(os.devnull, os.O_RDONLY)
        fd_out = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        fd_err = os.open(err, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        for fd, target in ((fd_in, 0), (fd_out, 1), (fd_err, 2)):
            os.dup2(fd, target)
            os.close(fd)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        random.seed()
        sys.argv = [os.path.join(HERE, "emulator.py")] + args
        rc = emulator.main(args)
    except SystemExit as e:
        rc = e.code if isinstance(e.code, int) else (0 if e.code is None else 1)
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(rc if isinstance(rc, int) else 1)


def write_status(path, status, usage):
    """STATUS: "RC USER SYS", the exit status and the CPU seconds the emulator used."""
    rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    try:
        with open(path + ".tmp", "w") as f:
            f.write("%d %.2f %.2f\n" % (rc, usage.ru_utime, usage.ru_stime))
        os.rename(path + ".tmp", path)
    except OSError:
        pass   # the requester's temp dir is gone: nobody is waiting for it


def main():
    emulator = preload()
    token = os.environ.get("SAGETOP_EMU_ZYGOTE_TOKEN", "")
    if not token:
        print("zygote: SAGETOP_EMU_ZYGOTE_TOKEN must be set", file=sys.stderr)
        return 2
    parent = os.getppid()
    children = {}   # pid -> status path
    stop = []

    def on_stop(*_):
        stop.append(1)
    signal.signal(signal.SIGTERM, on_stop)
    signal.signal(signal.SIGINT, on_stop)
    # a SIGCHLD wakes select through the wakeup pipe: reap at once, so a pid a script polls for
    # is gone as soon as its emulator exits, not a zombie until the next timeout
    wake_r, wake_w = os.pipe()
    os.set_blocking(wake_r, False)
    os.set_blocking(wake_w, False)
    signal.set_wakeup_fd(wake_w)
    signal.signal(signal.SIGCHLD, lambda *_: None)

    def reap():
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            path = children.pop(pid, None)
            if path:
                write_status(path, status, usage)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    sys.stdout.write("PORT=%d\nREADY\n" % listener.getsockname()[1])
    sys.stdout.flush()
    while not stop and os.getppid() == parent:
        reap()
        try:
            ready, _, _ = select.select([listener, wake_r], [], [], 0.5)
        except InterruptedError:
            continue
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        req = read_request(conn)
        if req is None or req[0] != token:
            conn.close()
            continue
        _, out, err, status, cwd, n_env, _ = req[:7]
        env = dict(kv.partition("=")[::2] for kv in req[7:7 + int(n_env)])
        args = req[7 + int(n_env):]
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            signal.set_wakeup_fd(-1)
            os.close(wake_r)
            os.close(wake_w)
            child(emulator, listener, conn, out, err, cwd, env, args)
        children[pid] = status
        try:
            conn.sendall(b"%d\n" % pid)
        except OSError:
            pass
        conn.close()
    listener.close()
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid, path in list(children.items()):
        try:
            _, status, usage = os.wait4(pid, 0)
            write_status(path, status, usage)
        except ChildProcessError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
