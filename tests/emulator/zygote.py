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

It also runs a test's own Python (an oracle: `pyrun` in tests/lib.sh) with boto3 and, when
installed, the AWS CLI v1 (awscli.clidriver) already imported: a script that imports boto3 costs
about 0.5 s of CPU to start, a forked one a few hundredths. The child is `python ARGS` as the
interpreter would run it (a file, `-c CODE` or `-` for the code on stdin): its own __main__,
sys.argv, sys.path[0], environment (TZ re-read), cwd and standard files. The AWS CLI stays the
real CLI: its own `aws` script is the file run.

Protocol, one request per loopback TCP connection (bash opens it with /dev/tcp, no process):
NUL-terminated fields KIND, F1, F2, F3, CWD, N_ENV, N_ARGS, then N_ENV "KEY=VALUE" and N_ARGS
arguments. KIND is the token for an emulator (F1..F3: OUT, ERR, STATUS) and "run:" + the token
for a Python run (F1..F3: the files to open as its stdin, stdout and stderr). The answer is one
line: the child's pid, or nothing when the request is refused. When an emulator exits the zygote
writes "RC USER SYS" to the STATUS file: its exit status (as subprocess reports it: negative for a
signal) and the CPU seconds it used (written aside and renamed, so a reader never sees half of
it); when a run exits, that line is the second answer on the connection, which stays open until
then (the requester waits on a read, no polling), and a requester that hangs up first gets its
run terminated. On SIGTERM/SIGINT, or when its parent goes, the zygote terminates the children
still running and exits. Prints PORT=... and READY on stdout once listening.
"""
import os
import gc
import importlib
import io
import random
import runpy
import select
import signal
import socket
import sys
import time
import traceback
import types

HERE = os.path.dirname(os.path.abspath(__file__))
BASE_PATH = sys.path[1:]   # a fresh interpreter's path after its sys.path[0] (the script's dir)
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
    warm_models()
    try:
        import awscli.clidriver  # noqa: F401  (the AWS CLI v1 a test may run through pyrun)
    except ImportError:
        pass
    return emulator


SERVICES = ("sagemaker", "logs", "sts", "iam", "s3", "cloudwatch")


def warm_models():
    """Static data every emulator parses again on its first requests: botocore's service models
    (JSON, a directory scan of botocore's data with each: 0.05-0.1 s of CPU apiece) for moto's
    request parsing, moto's region lists (its account backends' one botocore session, which loads
    each service's model for its endpoint prefix) and validation.py's models. Parsed once here
    into those modules' own caches, which no request changes; no client, no credentials."""
    import moto.core.utils
    import validation
    from moto.core.base_backend import AccountSpecificBackend
    for svc in SERVICES:
        try:
            moto.core.utils.get_service_model(svc)
        except Exception:
            pass
    session = AccountSpecificBackend.get_session()
    for partition in session.get_available_partitions():
        for svc in SERVICES:
            session.get_available_regions(svc, partition_name=partition)
    validation.service_model("sagemaker")


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


def run_script(args):
    """Runs `python ARGS` in this process (the child of a run request); returns its exit status."""
    if args[:1] == ["-c"] and len(args) > 1:
        argv, path0, code, name = ["-c"] + args[2:], "", args[1], "<string>"
    elif args[:1] == ["-"]:
        argv, path0, code, name = args, "", None, "<stdin>"
    elif args and not args[0].startswith("-"):
        argv, path0, code, name = args, os.path.dirname(os.path.realpath(args[0])), None, None
    else:
        print("zygote: run: want FILE, -c CODE or - (got %r)" % args[:1], file=sys.stderr)
        return 2
    sys.argv = argv
    sys.path[:] = [path0] + BASE_PATH
    if name is None:
        runpy.run_path(args[0], run_name="__main__")
        return 0
    if code is None:
        code = sys.stdin.read()
    main = types.ModuleType("__main__")
    main.__dict__["__builtins__"] = __builtins__
    sys.modules["__main__"] = main
    exec(compile(code, name, "exec"), main.__dict__)
    return 0


def child_streams(paths):
    """Opens PATHS as fds 0, 1, 2 and gives sys fresh text streams over them (a run's stdout is
    line-buffered on a terminal and block-buffered elsewhere, as at an interpreter's start)."""
    write = os.O_WRONLY | os.O_CREAT | os.O_TRUNC   # (no effect on a pipe or a terminal)
    for target, (path, flags) in enumerate(zip(paths, (os.O_RDONLY, write, write))):
        fd = os.open(path, flags, 0o644)
        if fd != target:
            os.dup2(fd, target)
            os.close(fd)
    sys.stdin = sys.__stdin__ = io.TextIOWrapper(io.open(0, "rb", closefd=False), "utf-8")
    sys.stdout = sys.__stdout__ = io.TextIOWrapper(io.open(1, "wb", closefd=False), "utf-8",
                                                   line_buffering=os.isatty(1))
    sys.stderr = sys.__stderr__ = io.TextIOWrapper(io.open(2, "wb", closefd=False), "utf-8",
                                                   "backslashreplace", line_buffering=True)


def child(socks, files, cwd, env, main):
    """In a forked child: closes the zygote's sockets, opens FILES as its stdin, stdout and
    stderr, takes CWD and ENV (TZ re-read, `random` reseeded), runs main() and exits with its
    status as the interpreter would (sys.exit's, 1 after a traceback); never returns."""
    rc = 1
    try:
        for s in socks:
            s.close()
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGHUP):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.stdout.flush()
        sys.stderr.flush()
        child_streams(files)
        os.chdir(cwd)
        os.environ.clear()
        os.environ.update(env)
        time.tzset()
        random.seed()
        rc = main()
    except SystemExit as e:
        if e.code is None or isinstance(e.code, int):
            rc = e.code or 0
        else:
            print(e.code, file=sys.stderr)
            rc = 1
    except BaseException:
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(rc & 0xff if isinstance(rc, int) else 1)


def run_main(args):
    """A run's main: `python ARGS`."""
    if "awscli" in sys.modules:   # its import sets AWS_DATA_PATH (its data) in the environment
        importlib.reload(sys.modules["awscli"])
    return run_script(args)


def emulator_main(emulator, args):
    """An emulator's main: `emulator.py ARGS`."""
    sys.argv = [os.path.join(HERE, "emulator.py")] + args
    return emulator.main(args)


def status_line(status, usage):
    """"RC USER SYS": the exit status (negative for a signal) and the CPU seconds used."""
    rc = -os.WTERMSIG(status) if os.WIFSIGNALED(status) else os.WEXITSTATUS(status)
    return "%d %.2f %.2f\n" % (rc, usage.ru_utime, usage.ru_stime)


def write_status(path, status, usage):
    """STATUS: "RC USER SYS", the exit status and the CPU seconds the emulator used."""
    try:
        with open(path + ".tmp", "w") as f:
            f.write(status_line(status, usage))
        os.rename(path + ".tmp", path)
    except OSError:
        pass   # the requester's temp dir is gone: nobody is waiting for it


def fork_child(req, token, socks, wake, emulator):
    """Forks the child REQ asks for; its pid, or None when REQ is not the token's."""
    kind, f1, f2, f3, cwd, n_env, _ = req[:7]
    if kind not in (token, "run:" + token):
        return None
    env = dict(kv.partition("=")[::2] for kv in req[7:7 + int(n_env)])
    args = req[7 + int(n_env):]
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        signal.set_wakeup_fd(-1)
        for fd in wake:
            os.close(fd)
        if kind == token:
            child(socks, (os.devnull, f1, f2), cwd, env, lambda: emulator_main(emulator, args))
        child(socks, (f1, f2, f3), cwd, env, lambda: run_main(args))
    return pid


def main():
    emulator = preload()
    # what preload built stays out of the collector's sight: a child's collection would otherwise
    # walk (and so copy, page by page) the whole inherited heap; counted in a run's system time
    gc.freeze()
    token = os.environ.get("SAGETOP_EMU_ZYGOTE_TOKEN", "")
    if not token:
        print("zygote: SAGETOP_EMU_ZYGOTE_TOKEN must be set", file=sys.stderr)
        return 2
    parent = os.getppid()
    children = {}   # pid -> the emulator's status path, or the run's connection
    runs = {}       # a run's connection -> its pid, while both are there
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

    def done(pid, status, usage):
        where = children.pop(pid, None)
        if isinstance(where, str):
            write_status(where, status, usage)
        elif where is not None:
            runs.pop(where, None)
            try:
                where.sendall(status_line(status, usage).encode())
            except OSError:
                pass
            where.close()

    def reap():
        while children:
            try:
                pid, status, usage = os.wait4(-1, os.WNOHANG)
            except ChildProcessError:
                children.clear()
                return
            if pid == 0:
                return
            done(pid, status, usage)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    sys.stdout.write("PORT=%d\nREADY\n" % listener.getsockname()[1])
    sys.stdout.flush()
    while not stop and os.getppid() == parent:
        reap()
        try:
            ready, _, _ = select.select([listener, wake_r, *runs], [], [], 0.5)
        except InterruptedError:
            continue
        if wake_r in ready:
            try:
                os.read(wake_r, 4096)
            except BlockingIOError:
                pass
        for conn in ready:
            if conn in runs:   # the requester hung up (or wrote): its run is not wanted
                pid = runs.pop(conn)
                conn.close()
                children[pid] = None
                try:
                    os.kill(pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        if listener not in ready:
            continue
        conn, _ = listener.accept()
        req = read_request(conn)
        pid = None if req is None else \
            fork_child(req, token, [listener, conn, *runs], (wake_r, wake_w), emulator)
        if pid is None:
            conn.close()
            continue
        try:
            conn.sendall(b"%d\n" % pid)
        except OSError:
            pass
        if req[0] == token:
            children[pid] = req[3]
            conn.close()
        else:
            conn.settimeout(None)
            children[pid], runs[conn] = conn, pid
    listener.close()
    for pid in list(children):
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    for pid in list(children):
        try:
            _, status, usage = os.wait4(pid, 0)
            done(pid, status, usage)
        except ChildProcessError:
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
