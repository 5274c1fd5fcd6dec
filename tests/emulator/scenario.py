"""Scenario layer: realistic Hugging Face training jobs, their logs, and their life in real time.

Owns: building DescribeTrainingJob records, generating Trainer-like log text (several transformers
versions), the job "life" (a timed plan of secondary-status changes and log lines), the live thread
that plays plans in real time, and the demo/scale scenarios. It writes only through store.Store.
Deterministic for a given --seed (absolute times are relative to the start time).
"""
import json
import math
import random
import re
import threading
import time

import store as st

IMAGE = "763104351884.dkr.ecr.us-east-1.amazonaws.com/huggingface-pytorch-training:{}"
# (transformers, pytorch, python, cuda, ubuntu): DLC tags as published
VERSIONS = [
    ("4.6.1", "1.7.1", "py36", "cu110", "ubuntu18.04"),
    ("4.12.3", "1.9.1", "py38", "cu111", "ubuntu20.04"),
    ("4.17.0", "1.10.2", "py38", "cu113", "ubuntu20.04"),
    ("4.26.0", "1.13.1", "py39", "cu117", "ubuntu20.04"),
    ("4.28.1", "2.0.0", "py310", "cu118", "ubuntu20.04"),
]
ROLE = f"arn:aws:iam::{st.ACCOUNT}:role/SageMakerExecutionRole"
BUCKET = f"sagemaker-{st.REGION}-{st.ACCOUNT}"

# The metric-definition sets in circulation (AWS_NOTES §6.1). Python strings: JSON doubles the '\'.
MD_EQ = [
    {"Name": "train_runtime", "Regex": r"train_runtime.*=\D*(.*?)$"},
    {"Name": "eval_accuracy", "Regex": r"eval_accuracy.*=\D*(.*?)$"},
    {"Name": "eval_loss", "Regex": r"eval_loss.*=\D*(.*?)$"},
]
MD_LR = {"Name": "learning_rate", "Regex": r"'learning_rate': ([0-9]+(.|e\-)[0-9]+),?"}
MD_NB = [{"Name": n, "Regex": "'%s': ([0-9]+(.|e\\-)[0-9]+),?" % n} for n in (
    "loss", "learning_rate", "eval_loss", "eval_accuracy", "eval_f1", "eval_precision",
    "eval_recall", "eval_runtime", "eval_samples_per_second", "epoch")]

TASKS = {
    # name: (model, dataset, n_train, n_eval, base loss, best accuracy, classification?)
    "imdb": ("distilbert-base-uncased", "imdb", 25000, 5000, 0.69, 0.93, True),
    "sst2": ("bert-base-uncased", "glue-sst2", 67349, 872, 0.69, 0.92, True),
    "emotion": ("roberta-base", "emotion", 16000, 2000, 1.79, 0.935, True),
    "mrpc": ("bert-large-uncased", "glue-mrpc", 3668, 408, 0.65, 0.87, True),
    "ag-news": ("distilroberta-base", "ag_news", 120000, 7600, 1.38, 0.945, True),
    "wikitext": ("gpt2", "wikitext-2-raw-v1", 2318, 240, 3.9, None, False),
}

H = "\x00H\x00"  # replaced by the host name (algo-1, ...)
T = "\x00T\x00"  # replaced by the event's wall time, toolkit format


def fmt_toolkit_time(ts):
    lt = time.gmtime(ts)
    return time.strftime("%Y-%m-%d %H:%M:%S", lt) + ",%03d" % int((ts % 1) * 1000)


def fmt_td(secs):
    h = int(secs // 3600)
    m = int(secs % 3600 // 60)
    s = secs % 60
    return "%d:%02d:%05.2f" % (h, m, s)


def sdk_hp(v):
    """Hyperparameter encoding of the SageMaker SDK: json.dumps for strings, str() otherwise."""
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


class Cfg:
    """What a job trains, and how its log looks."""

    def __init__(self, **kw):
        self.__dict__.update(kw)


def tqdm_bar(i, n, elapsed, rate, unit="it/s"):
    pct = int(100 * i / n) if n else 100
    full = int(10 * i / n) if n else 10
    bar = "█" * full + (" " * (10 - full))
    remain = (n - i) / rate if rate > 0 else 0
    return "%3d%%|%s| %d/%d [%s<%s, %5.2f%s]" % (
        pct, bar, i, n, _mmss(elapsed), _mmss(remain), rate, unit)


def _mmss(s):
    s = int(s)
    return "%02d:%02d" % (s // 60, s % 60) if s < 3600 else "%d:%02d:%02d" % (
        s // 3600, s % 3600 // 60, s % 60)


def _r4(x):
    return float("%.4f" % x)


def trainer_log(c, rng, fail_at=None, stop_at=None):
    """Log items (p, host_only, text) with p in [0, 1] across the training phase.

    host_only None: every host prints it. fail_at/stop_at: fraction where the run dies/stops.
    Returns (items, curves) where curves holds the final values for reference.
    """
    v = c.version[0]
    major_minor = tuple(int(x) for x in v.split(".")[:2])
    sep = "#015" if major_minor < (4, 12) else "\r"
    items = []
    add = lambda p, text, host=None: items.append((p, host, text))  # noqa: E731
    py = {"py36": "3.6", "py38": "3.8", "py39": "3.9", "py310": "3.10"}[c.version[2]]
    hp_args = " ".join("--%s %s" % (k, v2) for k, v2 in sorted(c.user_hp.items()))
    cmd = "/opt/conda/bin/python%s %s %s" % (py, c.program, hp_args)
    smddp = c.hosts > 1 and c.smddp
    pre = "[1,mpirank:0,algo-1]<stdout>:" if smddp else ""
    # --- container start-up (first 4 % of the training phase)
    start = [
        "bash: cannot set terminal process group (-1): Inappropriate ioctl for device",
        "bash: no job control in this shell",
        T + " sagemaker-training-toolkit INFO     Imported framework sagemaker_pytorch_container.training",
        T + " sagemaker-training-toolkit INFO     No Neurons detected (normal if no neurons installed)",
        T + " sagemaker_pytorch_container.training INFO     Block until all host DNS lookups succeed.",
        T + " sagemaker_pytorch_container.training INFO     Finished waiting on host DNS lookups.",
        T + " sagemaker_pytorch_container.training INFO     Invoking user training script.",
        T + " sagemaker-training-toolkit INFO     Installing dependencies from requirements.txt:",
        "/opt/conda/bin/python%s -m pip install -r requirements.txt" % py,
        "Requirement already satisfied: datasets in /opt/conda/lib/python%s/site-packages" % py,
        "WARNING: Running pip as the 'root' user can result in broken permissions and conflicting "
        "behaviour with the system package manager.",
        T + " sagemaker-training-toolkit INFO     Waiting for the process to finish and give a return code.",
        T + " sagemaker-training-toolkit INFO     Done waiting for a return code. Received 0 from exiting process.",
        T + " sagemaker-training-toolkit INFO     Invoking user script",
    ]
    for i, line in enumerate(start):
        add(0.004 * i / len(start), line)
    env = {
        "additional_framework_parameters": {}, "channel_input_dirs": {
            ch: "/opt/ml/input/data/" + ch for ch in c.channels},
        "current_host": H, "framework_module": "sagemaker_pytorch_container.training:main",
        "hosts": ["algo-%d" % (i + 1) for i in range(c.hosts)],
        "hyperparameters": c.user_hp, "input_data_config": {ch: {
            "TrainingInputMode": "File", "S3DistributionType": "FullyReplicated",
            "RecordWrapperType": "None"} for ch in c.channels},
        "job_name": c.name, "log_level": 20, "model_dir": "/opt/ml/model",
        "module_name": c.program[:-3], "network_interface_name": "eth0",
        "num_gpus": c.gpus, "num_cpus": 8 * max(1, c.gpus), "output_dir": "/opt/ml/output",
        "resource_config": {"current_host": H, "current_instance_type": c.instance_type,
                            "hosts": ["algo-%d" % (i + 1) for i in range(c.hosts)],
                            "network_interface_name": "eth0"},
        "user_entry_point": c.program,
    }
    add(0.005, "Training Env:\n\n" + json.dumps(env, indent=4, sort_keys=True))
    add(0.006, "Environment variables:\n\nSM_HOSTS=%s\nSM_NETWORK_INTERFACE_NAME=eth0\n"
        "SM_HPS=%s\nSM_USER_ENTRY_POINT=%s\nSM_CHANNELS=%s\nSM_CURRENT_HOST=%s\nSM_NUM_GPUS=%d"
        % (json.dumps(env["hosts"]), json.dumps(c.user_hp, sort_keys=True), c.program,
           json.dumps(sorted(c.channels)), H, c.gpus))
    if smddp:
        cmd = ("mpirun --host %s -np %d --allow-run-as-root --tag-output --oversubscribe "
               "-mca btl_tcp_if_include eth0 -x NCCL_SOCKET_IFNAME=eth0 smddprun %s" % (
                   ",".join("algo-%d:%d" % (i + 1, c.gpus) for i in range(c.hosts)),
                   c.hosts * c.gpus, cmd))
    add(0.007, "Invoking script with the following command:\n\n" + cmd + "\n")
    if c.gpus > 1 or c.hosts > 1:
        add(0.008, H + ":45:45 [0] NCCL INFO Bootstrap : Using eth0:10.0.%d.%d<0>" % (
            rng.randint(0, 255), rng.randint(2, 250)))
        add(0.0081, H + ":45:45 [0] NCCL INFO NET/OFI Using aws-ofi-nccl 1.5.0aws")
        add(0.0082, H + ":45:45 [0] NCCL INFO NET/OFI Selected Provider is efa")
        add(0.0083, "NCCL version 2.14.3+cuda11.7", "algo-1")
        for ch in range(2):
            add(0.0084 + ch * 1e-5, H + ":45:112 [0] NCCL INFO Channel %02d/02 :    %s" % (
                ch, " ".join("%3d" % r for r in range(c.hosts * c.gpus))))
        add(0.0086, H + ":45:112 [0] NCCL INFO Connected all rings")
        add(0.0087, H + ":45:112 [0] NCCL INFO comm 0x5581c6f0 rank 0 nranks %d cudaDev 0 "
            "busId 101c0 - Init COMPLETE" % (c.hosts * c.gpus))
    if smddp:
        add(0.0088, pre + "Running smdistributed.dataparallel v1.7.0")
        add(0.0089, pre + "SMDDP: Multi node mode" if c.hosts > 1 else pre + "SMDDP: Single node mode")
    ts_log = T.replace(",", ",")
    add(0.009, pre + "%s - __main__ - INFO -  loaded train_dataset length is: %d" % (
        ts_log, c.n_train))
    add(0.0091, pre + "%s - __main__ - INFO -  loaded test_dataset length is: %d" % (
        ts_log, c.n_eval))
    bs_total = c.batch * c.gpus * c.hosts
    steps_per_epoch = max(1, math.ceil(c.n_train / bs_total))
    total = steps_per_epoch * c.epochs
    for i, line in enumerate([
        "***** Running training *****",
        "  Num examples = %d" % c.n_train,
        "  Num Epochs = %d" % c.epochs,
        "  Instantaneous batch size per device = %d" % c.batch,
        "  Total train batch size (w. parallel, distributed & accumulation) = %d" % bs_total,
        "  Gradient Accumulation steps = 1",
        "  Total optimization steps = %d" % total,
    ]):
        add(0.0095 + i * 1e-5, pre + line)
    if major_minor >= (4, 26):
        add(0.0097, pre + "  Number of trainable parameters = %d" % c.params)
    # --- training loop
    log_every = max(1, total // max(4, c.log_points))
    eval_bs = c.batch * 2
    eval_steps = max(1, math.ceil(c.n_eval / (eval_bs * c.gpus * c.hosts)))
    steps_per_sec = c.steps_per_sec
    loss0, acc_best = c.loss0, c.acc_best
    lr_sched = lambda s: c.lr * max(0.0, 1 - s / total)  # noqa: E731  linear decay
    floor = c.loss_floor
    losses = []
    end_p = 0.97
    cut = fail_at if fail_at is not None else stop_at
    final = {}
    eval_p = set(int(steps_per_epoch * (e + 1)) for e in range(c.epochs))
    tq_chunk = max(1, log_every // 4)
    for step in range(1, total + 1):
        p = 0.01 + (end_p - 0.01) * step / total
        if cut is not None and p >= cut:
            break
        if step % tq_chunk == 0 or step == total:
            if step % log_every == 0 or step == total:
                segs = []
                for k in range(max(1, log_every // tq_chunk)):
                    s2 = step - (max(1, log_every // tq_chunk) - 1 - k) * tq_chunk
                    if s2 < 1:
                        continue
                    rate = steps_per_sec * (1 + rng.uniform(-0.04, 0.04))
                    segs.append(tqdm_bar(s2, total, s2 / steps_per_sec, rate))
                add(p - 1e-6, pre + sep.join(segs))
        if step % log_every == 0:
            prog = step / total
            l = floor + (loss0 - floor) * math.exp(-4.0 * prog) + rng.gauss(0, 0.03 * loss0 * (1 - 0.6 * prog))
            l = max(0.01, l)
            losses.append(l)
            ep = step / steps_per_epoch
            lr_now = lr_sched(step)
            add(p, pre + "{'loss': %s, 'learning_rate': %r, 'epoch': %s}" % (
                _r4(l), lr_now, round(ep, 2)))
            final["loss"] = _r4(l)
        if step in eval_p:
            ep = step / steps_per_epoch
            prog = step / total
            ev_loss = floor * 1.15 + (loss0 - floor) * math.exp(-3.2 * prog) * 0.8 + abs(rng.gauss(0, 0.01))
            rt = eval_steps / (steps_per_sec * 3)
            add(p + 1e-6, pre + "***** Running Evaluation *****")
            add(p + 2e-6, pre + "  Num examples = %d" % c.n_eval)
            add(p + 3e-6, pre + "  Batch size = %d" % eval_bs)
            segs = [tqdm_bar(k, eval_steps, k / (steps_per_sec * 3), steps_per_sec * 3)
                    for k in range(0, eval_steps + 1, max(1, eval_steps // 6))]
            add(p + 4e-6, pre + sep.join(segs))
            d = {"eval_loss": _r4(ev_loss)}
            if c.classification:
                acc = acc_best - (acc_best - 0.5) * math.exp(-3.0 * prog) * 0.6 - abs(rng.gauss(0, 0.004))
                d["eval_accuracy"] = _r4(acc)
                d["eval_f1"] = _r4(acc - 0.003 + rng.uniform(-0.003, 0.003))
                d["eval_precision"] = _r4(acc + rng.uniform(-0.01, 0.01))
                d["eval_recall"] = _r4(acc + rng.uniform(-0.01, 0.01))
            else:
                d["perplexity"] = _r4(math.exp(ev_loss))
            d["eval_runtime"] = round(rt, 4)
            d["eval_samples_per_second"] = round(c.n_eval / rt, 3)
            if major_minor >= (4, 9):
                d["eval_steps_per_second"] = round(eval_steps / rt, 3)
            d["epoch"] = round(ep, 2)
            add(p + 5e-6, pre + repr(d))
            final.update(d)
            add(p + 6e-6, pre + "Saving model checkpoint to /opt/ml/checkpoints/checkpoint-%d" % step)
            add(p + 7e-6, pre + "Configuration saved in /opt/ml/checkpoints/checkpoint-%d/config.json" % step)
    if fail_at is not None:
        return items, final, cmd
    if stop_at is not None:
        return items, final, cmd
    runtime = total / steps_per_sec
    tl = sum(losses) / len(losses) if losses else loss0
    d = {"train_runtime": round(runtime, 4), "train_samples_per_second": round(
        c.n_train * c.epochs / runtime, 3)}
    if major_minor >= (4, 9):
        d["train_steps_per_second"] = round(total / runtime, 3)
    d["train_loss"] = tl
    d["epoch"] = float(c.epochs)
    add(0.971, pre + "\n\nTraining completed. Do not forget to share your model on huggingface.co/models =)\n\n")
    add(0.972, pre + repr(d))
    add(0.973, pre + "Saving model checkpoint to /opt/ml/model")
    add(0.974, pre + "Configuration saved in /opt/ml/model/config.json")
    add(0.975, pre + "Model weights saved in /opt/ml/model/pytorch_model.bin")
    rows = [("epoch", "%s" % float(c.epochs)), ("train_loss", "%.4f" % tl),
            ("train_runtime", fmt_td(runtime)), ("train_samples", "%d" % c.n_train),
            ("train_samples_per_second", "%.3f" % (c.n_train * c.epochs / runtime))]
    if major_minor >= (4, 9):
        rows.append(("train_steps_per_second", "%.3f" % (total / runtime)))
    block(add, 0.976, pre, "train", rows)
    if final:
        erows = [("epoch", "%s" % float(c.epochs))]
        for k in ("eval_accuracy", "eval_f1", "eval_loss", "perplexity"):
            if k in final:
                erows.append((k, "%.4f" % final[k]))
        erows.append(("eval_runtime", fmt_td(final.get("eval_runtime", 1.0))))
        erows.append(("eval_samples", "%d" % c.n_eval))
        erows.append(("eval_samples_per_second", "%.3f" % final.get("eval_samples_per_second", 1)))
        block(add, 0.978, pre, "eval", sorted(erows))
    add(0.985, T + " sagemaker-training-toolkit INFO     Waiting for the process to finish and give a return code.")
    add(0.986, T + " sagemaker-training-toolkit INFO     Done waiting for a return code. Received 0 from exiting process.")
    add(0.987, T + " sagemaker-training-toolkit INFO     Reporting training SUCCESS")
    final["train_runtime_text"] = fmt_td(runtime)
    return items, final, cmd


def block(add, p, pre, split, rows):
    w = max(len(k) for k, _ in rows)
    vw = max(len(v) for _, v in rows)
    add(p, pre + "***** %s metrics *****" % split)
    for i, (k, v) in enumerate(rows):
        add(p + (i + 1) * 1e-6, pre + "  %s = %s" % (k.ljust(w), v.rjust(vw)))


OOM = ("torch.cuda.OutOfMemoryError: CUDA out of memory. Tried to allocate 768.00 MiB (GPU 0; "
       "15.78 GiB total capacity; 13.92 GiB already allocated; 412.44 MiB free; 14.30 GiB reserved "
       "in total by PyTorch) If reserved memory is >> allocated memory try setting "
       "max_split_size_mb to avoid fragmentation.  See documentation for Memory Management and "
       "PYTORCH_CUDA_ALLOC_CONF")
OOM_OLD = ("RuntimeError: CUDA out of memory. Tried to allocate 768.00 MiB (GPU 0; 15.78 GiB total "
           "capacity; 13.92 GiB already allocated; 412.44 MiB free; 14.30 GiB reserved in total by "
           "PyTorch)")


def failure_lines(c, kind, cmd):
    py = {"py36": "3.6", "py38": "3.8", "py39": "3.9", "py310": "3.10"}[c.version[2]]
    sp = "/opt/conda/lib/python%s/site-packages" % py
    if kind == "oom":
        err = OOM if c.version[1].startswith(("1.13", "2.")) else OOM_OLD
        tb = ["Traceback (most recent call last):",
              '  File "%s", line 118, in <module>' % c.program,
              "    trainer.train()",
              '  File "%s/transformers/trainer.py", line 1543, in train' % sp,
              "    return inner_training_loop(",
              '  File "%s/transformers/trainer.py", line 1791, in _inner_training_loop' % sp,
              "    tr_loss_step = self.training_step(model, inputs)",
              '  File "%s/transformers/trainer.py", line 2557, in training_step' % sp,
              "    loss.backward()",
              '  File "%s/torch/_tensor.py", line 487, in backward' % sp,
              "    torch.autograd.backward(",
              '  File "%s/torch/autograd/__init__.py", line 197, in backward' % sp,
              "    Variable._execution_engine.run_backward(  # Calls into the C++ engine to run the backward pass",
              err]
    else:
        err = "KeyError: 'label'"
        tb = ["Traceback (most recent call last):",
              '  File "%s", line 64, in <module>' % c.program,
              "    train_dataset = train_dataset.rename_column(\"label\", \"labels\")",
              '  File "%s/datasets/arrow_dataset.py", line 1763, in rename_column' % sp,
              "    raise ValueError(",
              err]
    return tb, err


def failure_reason(err, cmd):
    r = ('AlgorithmError: ExecuteUserScriptError:\nExitCode 1\nErrorMessage "%s"\nCommand "%s", '
         "exit code: 1" % (err, cmd))
    if len(r) > 1024:
        r = r[:1021] + "..."
    return r


# ---------------------------------------------------------------------------------------------
class Life:
    """A job's timed plan: events (sim_offset_s, kind, a, b), played from index `pos`."""

    def __init__(self, job, events, t0, speed, hosts, cfg):
        self.job = job
        self.events = events
        self.pos = 0
        self.t0 = t0  # wall time of sim offset 0
        self.speed = speed
        self.hosts = hosts
        self.cfg = cfg
        self.stop_at = None  # wall time when a requested stop completes

    def wall(self, off):
        return self.t0 + off / self.speed


def build_events(c, rng, duration, outcome="Completed", cut=None, fail_kind="oom"):
    """The plan for a job lasting `duration` simulated seconds."""
    ev = []
    f = lambda x: x * duration  # noqa: E731
    ev.append((0.0, "st", "Starting", "Launching requested ML instances"))
    ev.append((f(0.02), "msg", "Starting", "Preparing the instances for training"))
    ev.append((f(0.05), "st", "Downloading", "Downloading input data"))
    ev.append((f(0.10), "st", "Training", "Downloading the training image"))
    ev.append((f(0.12), "msg", "Training", "Training image download completed. Training in progress."))
    tr0, tr1 = 0.12, 0.93
    items, final, cmd = trainer_log(c, rng, fail_at=cut if outcome == "Failed" else None,
                                    stop_at=cut if outcome == "Stopped" else None)
    for p, host, text in items:
        ev.append((f(tr0 + (tr1 - tr0) * p), "log", host, text))
    if outcome == "Completed":
        ev.append((f(0.93), "st", "Uploading", "Uploading generated training model"))
        ev.append((f(1.0), "end", "Completed", "Training job completed"))
    elif outcome == "Failed":
        pcut = f(tr0 + (tr1 - tr0) * cut)
        tb, err = failure_lines(c, fail_kind, cmd)
        for i, line in enumerate(tb):
            ev.append((pcut + 0.001 * i, "log", None, line))
        tail = [T + " sagemaker-training-toolkit INFO     Waiting for the process to finish and give a return code.",
                T + " sagemaker-training-toolkit INFO     Done waiting for a return code. Received 1 from exiting process.",
                T + " sagemaker-training-toolkit ERROR    Reporting training FAILURE",
                T + " sagemaker-training-toolkit ERROR    ExecuteUserScriptError:\nExitCode 1\n"
                "ErrorMessage \"%s\"\nCommand \"%s\"" % (err, cmd),
                T + " sagemaker-training-toolkit ERROR    Encountered exit_code 1"]
        for i, line in enumerate(tail):
            ev.append((pcut + 1 + 0.001 * i, "log", None, line))
        ev.append((pcut + 30, "end", "Failed", "Training job failed", failure_reason(err, cmd)))
    elif outcome == "Stopped":
        pcut = f(tr0 + (tr1 - tr0) * cut)
        ev.append((pcut, "st", "Stopping", "Stopping the training job"))
        ev.append((pcut + 20, "end", "Stopped", "Training job stopped"))
    ev.sort(key=lambda e: e[0])
    return ev


def stream_name(job_name, host_idx, epoch_s):
    return "%s/algo-%d-%d" % (job_name, host_idx, int(epoch_s))


class Engine:
    """Plays job plans into the store; the thread handles jobs that are still running."""

    def __init__(self, store, speed=1.0, seed=0):
        self.store = store
        self.speed = speed
        self.rng = random.Random(seed ^ 0x5A6E)
        self.lives = []
        self._stop = threading.Event()
        self.thread = None
        self.completed = 0
        self.tickers = []  # fn(now) called under the store's lock on each tick (tuning.py)

    # ---- applying one event
    def apply(self, life, ev, wall):
        j = life.job
        d = j.d
        kind = ev[1]
        if kind == "log":
            host, text = ev[2], ev[3]
            epoch = int(d.get("TrainingStartTime", wall))
            for h in range(1, life.hosts + 1):
                hn = "algo-%d" % h
                if host is not None and host != hn:
                    continue
                tsw = wall + (h - 1) * 0.007
                msg = text.replace(H, hn).replace(T, fmt_toolkit_time(tsw)) if "\x00" in text else text
                self.store.put_events(st.LOG_GROUP, stream_name(d["TrainingJobName"], h, epoch),
                                      [(int(tsw * 1000), msg)],
                                      ingest_ms=int(tsw * 1000) + 200 + h)
            return
        if kind == "msg":
            tr = d["SecondaryStatusTransitions"]
            if tr and tr[-1]["Status"] == ev[2]:
                tr[-1]["StatusMessage"] = ev[3]
            d["LastModifiedTime"] = wall
            return
        status = ev[2]
        self.transition(d, status, ev[3], wall)
        if status == "Downloading" and "TrainingStartTime" not in d:
            d["TrainingStartTime"] = wall
        if kind == "end":
            self.finish(life, status, wall, ev[4] if len(ev) > 4 else None)

    @staticmethod
    def transition(d, status, message, wall):
        tr = d.setdefault("SecondaryStatusTransitions", [])
        if tr and "EndTime" not in tr[-1]:
            tr[-1]["EndTime"] = wall
        t = {"Status": status, "StartTime": wall, "StatusMessage": message}
        if status in ("Completed", "Failed", "Stopped"):
            t["EndTime"] = wall
        tr.append(t)
        d["SecondaryStatus"] = status
        if status == "Stopping":
            d["TrainingJobStatus"] = "Stopping"
        d["LastModifiedTime"] = wall

    def finish(self, life, status, wall, reason=None):
        d = life.job.d
        d["TrainingJobStatus"] = status
        d["SecondaryStatus"] = status
        d["TrainingEndTime"] = wall
        d["LastModifiedTime"] = wall
        start = d.setdefault("TrainingStartTime", d["CreationTime"])
        secs = max(1, int(round(wall - start)))
        d["TrainingTimeInSeconds"] = secs
        if d.get("EnableManagedSpotTraining"):
            frac = life.cfg.spot_frac if life.cfg is not None else 0.4
            d["BillableTimeInSeconds"] = max(1, int(secs * frac))
        else:
            d["BillableTimeInSeconds"] = secs
        if reason:
            d["FailureReason"] = reason
        d["FinalMetricDataList"] = final_metrics(self.store, d)
        life.pos = len(life.events)

    def play_until(self, life, wall_now):
        while life.pos < len(life.events):
            ev = life.events[life.pos]
            w = life.wall(ev[0])
            if w > wall_now:
                break
            life.pos += 1
            self.apply(life, ev, w)

    # ---- live
    def add_live(self, life):
        with self.store.lock:
            life.job.live = life
            self.lives.append(life)

    def request_stop(self, job):
        """StopTrainingJob: InProgress -> Stopping now, Stopped after a moment."""
        now = time.time()
        life = job.live
        if life is None:
            life = Life(job, [], now, self.speed, 1, None)
            job.live = life
            self.lives.append(life)
        life.events = life.events[:life.pos]
        self.transition(job.d, "Stopping", "Stopping the training job", now)
        life.stop_at = now + max(0.5, 3.0 / self.speed)

    def tick(self):
        now = time.time()
        with self.store.lock:
            for life in list(self.lives):
                if life.stop_at is not None:
                    if now >= life.stop_at:
                        self.transition(life.job.d, "Stopped", "Training job stopped", now)
                        self.finish(life, "Stopped", now)
                        life.job.live = None
                        self.lives.remove(life)
                    continue
                self.play_until(life, now)
                if life.pos >= len(life.events):
                    life.job.live = None
                    self.lives.remove(life)
                    self.completed += 1
            for fn in self.tickers:
                fn(now)

    def run(self):
        while not self._stop.wait(0.1):
            try:
                self.tick()
            except Exception as e:  # keep the emulator alive; report on stderr
                import sys
                import traceback
                print("emulator: live thread: %s" % e, file=sys.stderr)
                traceback.print_exc()

    def start(self):
        self.thread = threading.Thread(target=self.run, name="live-jobs", daemon=True)
        self.thread.start()

    def stop(self):
        self._stop.set()


def final_metrics(store, d):
    """FinalMetricDataList: the last numeric capture of each MetricDefinition over algo-1's log."""
    defs = d.get("AlgorithmSpecification", {}).get("MetricDefinitions") or []
    if not defs:
        return []
    g = store.groups.get(st.LOG_GROUP)
    if g is None:
        return []
    prefix = d["TrainingJobName"] + "/algo-1-"
    streams = [g.streams[n] for n in g.sorted_names if n.startswith(prefix)]
    out = []
    for md in defs:
        try:
            rx = re.compile(md["Regex"])
        except re.error:
            continue
        last = None
        for s in streams:
            for i in range(len(s.msg) - 1, -1, -1):
                found = None
                for line in reversed(s.msg[i].split("\n")):
                    m = rx.search(line)
                    if m and m.groups():
                        try:
                            found = float(m.group(1))
                        except (TypeError, ValueError):
                            continue
                        if math.isfinite(found):    # JSON has no NaN: AWS reports numbers
                            break
                        found = None
                if found is not None:
                    last = (found, s.ts[i] / 1000.0)
                    break
        if last is not None:
            out.append({"MetricName": md["Name"], "Value": last[0], "Timestamp": last[1]})
    return out


# ---------------------------------------------------------------------------------------------
def describe_record(c, creation, spot=False, checkpoint=False, env=None):
    """The static part of DescribeTrainingJob for a job configured by `c`."""
    v = c.version
    tag = "%s-transformers%s-gpu-%s-%s-%s" % (v[1], v[0], v[2], v[3], v[4])
    name = c.name
    hp = {k: sdk_hp(x) for k, x in c.user_hp.items()}
    hp.update({
        "sagemaker_container_log_level": "20",
        "sagemaker_job_name": json.dumps(name),
        "sagemaker_program": json.dumps(c.program),
        "sagemaker_region": json.dumps(st.REGION),
        "sagemaker_submit_directory": json.dumps(
            "s3://%s/%s/source/sourcedir.tar.gz" % (BUCKET, name)),
    })
    if c.hosts > 1 and c.smddp:
        hp["sagemaker_distributed_dataparallel_enabled"] = "true"
        hp["sagemaker_instance_type"] = json.dumps(c.instance_type)
        hp["sagemaker_distributed_dataparallel_custom_mpi_options"] = json.dumps("")
    d = {
        "TrainingJobName": name,
        "TrainingJobArn": st.job_arn(name),
        "ModelArtifacts": {"S3ModelArtifacts": "s3://%s/%s/output/model.tar.gz" % (BUCKET, name)},
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
        "HyperParameters": hp,
        "AlgorithmSpecification": {
            "TrainingImage": IMAGE.format(tag),
            "TrainingInputMode": "File",
            "MetricDefinitions": c.metric_defs,
            "EnableSageMakerMetricsTimeSeries": True,
        },
        "RoleArn": ROLE,
        "InputDataConfig": [{
            "ChannelName": ch,
            "DataSource": {"S3DataSource": {
                "S3DataType": "S3Prefix",
                "S3Uri": "s3://%s/datasets/%s/%s" % (BUCKET, c.dataset, ch),
                "S3DataDistributionType": "FullyReplicated"}},
            "CompressionType": "None", "RecordWrapperType": "None"} for ch in c.channels],
        "OutputDataConfig": {"KmsKeyId": "", "S3OutputPath": "s3://%s/" % BUCKET,
                             "CompressionType": "GZIP"},
        "ResourceConfig": {"InstanceType": c.instance_type, "InstanceCount": c.hosts,
                           "VolumeSizeInGB": 30},
        "StoppingCondition": {"MaxRuntimeInSeconds": 86400},
        "CreationTime": creation,
        "LastModifiedTime": creation,
        "SecondaryStatusTransitions": [],
        "FinalMetricDataList": [],
        "EnableNetworkIsolation": False,
        "EnableInterContainerTrafficEncryption": False,
        "EnableManagedSpotTraining": bool(spot),
        "DebugHookConfig": {"S3OutputPath": "s3://%s/" % BUCKET, "CollectionConfigurations": []},
        "ProfilerConfig": {"S3OutputPath": "s3://%s/" % BUCKET, "DisableProfiler": False},
        "ProfilingStatus": "Disabled",
        "Environment": env or {},
        "RetryStrategy": {"MaximumRetryAttempts": 1},
    }
    if spot:
        d["StoppingCondition"] = {"MaxRuntimeInSeconds": 36000, "MaxWaitTimeInSeconds": 72000}
    if spot or checkpoint:
        d["CheckpointConfig"] = {"S3Uri": "s3://%s/checkpoints/%s" % (BUCKET, name),
                                 "LocalPath": "/opt/ml/checkpoints"}
    return d


def make_cfg(name, task, version, lr, epochs, batch, hosts=1, gpus=1, instance_type="ml.p3.2xlarge",
             metric_defs=None, smddp=False, log_points=60, rng=None, spot_frac=0.4):
    model, dataset, n_train, n_eval, loss0, acc, cls = TASKS[task]
    rng = rng or random.Random(0)
    # a better learning rate / more epochs -> a slightly better model, as in real sweeps
    lr_eff = 1 - min(1.0, abs(math.log10(lr / 4e-5)) * 0.6)
    acc_best = None if acc is None else acc - 0.02 * (1 - lr_eff) - 0.012 / epochs + rng.uniform(-0.003, 0.003)
    floor = (0.12 if cls else 2.9) + 0.05 * (1 - lr_eff) + rng.uniform(0, 0.02)
    user_hp = {"epochs": epochs, "train_batch_size": batch, "learning_rate": lr,
               "model_name_or_path": model, "dataset_name": dataset,
               "output_dir": "/opt/ml/checkpoints"}
    if not cls:
        user_hp["block_size"] = 512
    return Cfg(name=name, task=task, version=version, lr=lr, epochs=epochs, batch=batch,
               hosts=hosts, gpus=gpus, instance_type=instance_type,
               metric_defs=metric_defs if metric_defs is not None else list(MD_EQ) + [MD_LR],
               smddp=smddp, log_points=log_points, n_train=n_train, n_eval=n_eval,
               loss0=loss0, acc_best=acc_best, loss_floor=floor, classification=cls,
               user_hp=user_hp, program="train.py" if cls else "run_clm.py",
               channels=["train", "test"], dataset=dataset, params=int(66.9e6 if "distil" in model else 124.6e6),
               steps_per_sec=rng.uniform(2.5, 9.0), spot_frac=spot_frac)


def job_name_for(base, ts, rng):
    return "%s-%s-%03d" % (base, time.strftime("%Y-%m-%d-%H-%M-%S", time.gmtime(ts)),
                           rng.randint(0, 999))


def install(store, engine, c, creation, duration, outcome="Completed", cut=None, spot=False,
            checkpoint=False, fail_kind="oom", live_elapsed=None, tags=None, rng=None,
            edit_events=None):
    """Creates a job and plays its plan: entirely (historical) or up to now (live).
    edit_events(events, duration) -> events changes the plan first (alert_jobs)."""
    rng = rng or random.Random(0)
    d = describe_record(c, creation, spot=spot, checkpoint=checkpoint)
    with store.lock:
        j = store.add_job(d, tags or [{"Key": "project", "Value": c.task}])
        events = build_events(c, rng, duration, outcome, cut, fail_kind)
        if edit_events is not None:
            events = sorted(edit_events(events, duration), key=lambda e: e[0])
        if live_elapsed is None:
            life = Life(j, events, creation, 1.0, c.hosts, c)
            engine.play_until(life, float("inf"))
        else:
            life = Life(j, events, time.time() - live_elapsed / engine.speed, engine.speed, c.hosts, c)
            d["CreationTime"] = d["LastModifiedTime"] = life.t0
            engine.play_until(life, time.time())
            engine.add_live(life)
    return j


def demo(store, engine, seed=0, now=None):
    """About 40 HF jobs over 30 days. Fixed names: the distilbert-imdb-* family and live-*."""
    rng = random.Random(seed)
    # history is anchored to the hour so that names (which embed creation times) repeat
    # between runs with the same seed; live jobs start from the real now
    now = now or time.time()
    real_now = now
    now = math.floor(now / 3600.0) * 3600.0
    day = 86400.0
    made = []
    # the comparison family: Completed, same task, different learning_rate / epochs
    fam = [("distilbert-imdb-lr5e5-ep3", 5e-5, 3), ("distilbert-imdb-lr3e5-ep3", 3e-5, 3),
           ("distilbert-imdb-lr2e5-ep2", 2e-5, 2), ("distilbert-imdb-lr5e5-ep1", 5e-5, 1)]
    for i, (name, lr, ep) in enumerate(fam):
        c = make_cfg(name, "imdb", VERSIONS[3], lr, ep, 32, log_points=40 * ep,
                     metric_defs=list(MD_EQ) + [MD_LR], rng=rng)
        made.append(install(store, engine, c, now - (6 - i * 0.3) * day, 900 * ep, rng=rng))
    # history: (count, outcome)
    plan = (["Completed"] * 23) + (["Failed"] * 5) + (["Stopped"] * 4)
    rng.shuffle(plan)
    tasks = list(TASKS)
    fails = iter(["oom", "oom", "keyerror", "oom", "oom"])
    for k, outcome in enumerate(plan):
        task = tasks[k % len(tasks)]
        version = VERSIONS[rng.randrange(len(VERSIONS))]
        multi = k % 6 == 2
        hosts = rng.choice([2, 4]) if multi else 1
        gpus = 8 if multi else rng.choice([1, 1, 4])
        itype = {1: rng.choice(["ml.p3.2xlarge", "ml.g4dn.xlarge", "ml.g5.xlarge"]),
                 4: "ml.g5.12xlarge", 8: "ml.p3.16xlarge"}[gpus]
        spot = k % 4 == 1
        base = {"imdb": "hf-distilbert-imdb", "sst2": "bert-base-sst2", "emotion": "roberta-emotion",
                "mrpc": "bert-large-mrpc", "ag-news": "distilroberta-agnews",
                "wikitext": "gpt2-wikitext"}[task]
        if k % 5 == 0:
            base = "huggingface-pytorch-training"
        creation = now - rng.uniform(0.3, 29.5) * day
        name = job_name_for(base, creation, rng)
        epochs = rng.choice([1, 2, 3])
        lr = rng.choice([2e-5, 3e-5, 5e-5, 1e-4])
        md = [list(MD_EQ) + [MD_LR], list(MD_NB), list(MD_EQ)][k % 3]
        c = make_cfg(name, task, version, lr, epochs, rng.choice([16, 32, 64]), hosts=hosts,
                     gpus=gpus, instance_type=itype, metric_defs=md, smddp=multi and k % 2 == 0,
                     log_points=rng.randint(30, 120), rng=rng, spot_frac=rng.uniform(0.3, 0.7))
        dur = rng.uniform(600, 9000)
        cut = rng.uniform(0.15, 0.8) if outcome != "Completed" else None
        made.append(install(store, engine, c, creation, dur, outcome, cut, spot=spot,
                            checkpoint=spot, rng=rng,
                            fail_kind=next(fails) if outcome == "Failed" else "oom"))
    # live jobs: elapsed part already in the log, the rest plays in real time
    live = [("live-distilbert-imdb", "imdb", 1, 1, "ml.p3.2xlarge", False, 0.35),
            ("live-bert-sst2-ddp", "sst2", 2, 8, "ml.p3.16xlarge", True, 0.45),
            ("live-roberta-emotion-spot", "emotion", 1, 1, "ml.g5.xlarge", False, 0.25),
            ("live-gpt2-wikitext", "wikitext", 1, 4, "ml.g5.12xlarge", False, 0.04)]
    for i, (name, task, hosts, gpus, itype, smddp, frac) in enumerate(live):
        c = make_cfg(name, task, VERSIONS[3 + (i % 2)], 5e-5, 2, 32, hosts=hosts, gpus=gpus,
                     instance_type=itype, smddp=smddp, log_points=300, rng=rng,
                     metric_defs=list(MD_NB) if i == 1 else list(MD_EQ) + [MD_LR])
        dur = 300 + 60 * i  # simulated seconds: a few minutes at --speed 1
        made.append(install(store, engine, c, real_now, dur, spot=(i == 2), checkpoint=(i == 2),
                            live_elapsed=dur * frac, rng=rng))
    return made


NAN_JOB = "live-gpt2-nan"
SPOT_JOB = "live-bert-spot-interrupted"
# the loss regex of the NaN job: it captures "nan" too (MD_NB's wants digits)
MD_LOSS_ANY = {"Name": "loss", "Regex": r"'loss': ([^,}]+)"}


# a metric name the Trainer preset reads from the log (any text between quotes is a key): shell
# metacharacters that must never reach a shell through an alert (notify-command); a shell that
# ran them would leave these files in its working directory
META_METRIC = "eval_$(touch pwned-subst);`touch pwned-tick`"


def _loss_goes_nan(events, duration):
    """From 30 % of the job on, every logged loss is nan (a diverged run); every eval_loss is
    nan from the first one on (a metric with no finite point at all), and each eval line also
    carries META_METRIC, nan."""
    out = []
    for ev in events:
        if ev[1] == "log" and ev[0] >= 0.3 * duration and "{'loss': " in ev[3]:
            head, _, tail = ev[3].partition("{'loss': ")
            ev = (ev[0], ev[1], ev[2], head + "{'loss': nan" + tail[tail.index(","):])
        elif ev[1] == "log" and "{'eval_loss': " in ev[3]:
            head, _, tail = ev[3].partition("{'eval_loss': ")
            ev = (ev[0], ev[1], ev[2], head + "{'eval_loss': nan, '%s': nan" % META_METRIC
                  + tail[tail.index(","):])
        out.append(ev)
    return out


def _spot_interrupted(events, duration):
    """Spot capacity taken back at 30 % of the job, training resumed from the checkpoint at
    90 %: SecondaryStatus Interrupted in between, and no log line (the instance is gone)."""
    events = [ev for ev in events
              if not (ev[1] == "log" and 0.30 * duration <= ev[0] < 0.90 * duration)]
    return events + [(0.30 * duration, "st", "Interrupted",
                      "Training job interrupted: spot capacity was reclaimed"),
                     (0.90 * duration, "st", "Training", "Resuming training from the checkpoint")]


def alert_jobs(store, engine, seed=0):
    """Two more live jobs for the alert rules (--alert-jobs): NAN_JOB, whose loss is already
    nan in the log it has so far (eval_loss and META_METRIC nan from their first point), and SPOT_JOB, a spot job that is Interrupted now and resumes
    near its end (elapsed and durations in simulated seconds). Their own random stream: the demo's jobs stay as they are."""
    rng = random.Random(seed + 17)
    now = time.time()
    c = make_cfg(NAN_JOB, "wikitext", VERSIONS[3], 5e-4, 2, 32, instance_type="ml.g5.xlarge",
                 log_points=200, rng=rng, metric_defs=[MD_LOSS_ANY])
    made = [install(store, engine, c, now, 300, live_elapsed=150, rng=rng,
                    edit_events=_loss_goes_nan)]
    # long enough that it is still Interrupted when a test's watch starts after the emulator
    # published its host metrics (at --speed 40: interrupted for 23 s, ends after 27 s)
    c = make_cfg(SPOT_JOB, "sst2", VERSIONS[3], 3e-5, 2, 32, instance_type="ml.g5.xlarge",
                 log_points=200, rng=rng, spot_frac=0.5)
    made.append(install(store, engine, c, now, 1600, spot=True, checkpoint=True,
                        live_elapsed=520, rng=rng, edit_events=_spot_interrupted))
    return made


def hostscale(store, n_jobs, hosts, minutes=10, now=None):
    """The host-metrics bench (bench/run.sh section hosts): n_jobs running jobs of `hosts`
    ml.p4d.24xlarge instances each that started `minutes` ago, without logs. Returns the
    store's job records (hostmetrics.publish gives them their series)."""
    rng = random.Random(7)
    now = now or time.time()
    tmpl = make_cfg("hostscale-template", "imdb", VERSIONS[3], 5e-5, 1, 32, hosts=hosts, gpus=8,
                    instance_type="ml.p4d.24xlarge", rng=rng)
    base = describe_record(tmpl, now - minutes * 60 - 120)
    made = []
    with store.lock:
        for i in range(n_jobs):
            name = "hostscale-job-%03d" % i
            d = dict(base)
            d.update({"TrainingJobName": name, "TrainingJobArn": st.job_arn(name),
                      "TrainingJobStatus": "InProgress", "SecondaryStatus": "Training",
                      "TrainingStartTime": now - minutes * 60, "LastModifiedTime": now})
            made.append(store.add_job(d, []))
    return made


def create_from_request(store, engine, req):
    """A job made by CreateTrainingJob: kept as given, then given a life of a few minutes."""
    now = time.time()
    name = req["TrainingJobName"]
    algo = dict(req.get("AlgorithmSpecification") or {})
    rc = dict(req.get("ResourceConfig") or {})
    d = {
        "TrainingJobName": name,
        "TrainingJobArn": st.job_arn(name),
        "ModelArtifacts": {"S3ModelArtifacts": "%s/%s/output/model.tar.gz" % (
            req["OutputDataConfig"]["S3OutputPath"].rstrip("/"), name)},
        "TrainingJobStatus": "InProgress",
        "SecondaryStatus": "Starting",
        "HyperParameters": dict(req.get("HyperParameters") or {}),
        "AlgorithmSpecification": algo,
        "RoleArn": req["RoleArn"],
        "OutputDataConfig": dict(req["OutputDataConfig"]),
        "ResourceConfig": rc,
        "StoppingCondition": dict(req.get("StoppingCondition") or {"MaxRuntimeInSeconds": 86400}),
        "CreationTime": now,
        "LastModifiedTime": now,
        "SecondaryStatusTransitions": [],
        "FinalMetricDataList": [],
        "EnableNetworkIsolation": bool(req.get("EnableNetworkIsolation", False)),
        "EnableInterContainerTrafficEncryption": bool(
            req.get("EnableInterContainerTrafficEncryption", False)),
        "EnableManagedSpotTraining": bool(req.get("EnableManagedSpotTraining", False)),
        "Environment": dict(req.get("Environment") or {}),
    }
    # every other member CreateTrainingJobRequest shares with DescribeTrainingJobResponse
    # (botocore's model): AWS describes them as they were sent
    for k in ("InputDataConfig", "VpcConfig", "CheckpointConfig", "DebugHookConfig",
              "ProfilerConfig", "TensorBoardOutputConfig", "ExperimentConfig", "RetryStrategy",
              "DebugRuleConfigurations", "ProfilerRuleConfigurations", "RemoteDebugConfig",
              "InfraCheckConfig", "MlflowConfig", "ModelPackageConfig", "ServerlessJobConfig"):
        if req.get(k) is not None:
            d[k] = req[k]
    if d["OutputDataConfig"].get("KmsKeyId") is None:
        d["OutputDataConfig"]["KmsKeyId"] = ""
    d["AlgorithmSpecification"].setdefault("EnableSageMakerMetricsTimeSeries", False)
    hp = d["HyperParameters"]

    def hpv(k, default):
        v = hp.get(k)
        if v is None:
            return default
        try:
            return type(default)(json.loads(v))
        except (ValueError, TypeError):
            try:
                return type(default)(v)
            except (ValueError, TypeError):
                return default
    rng = random.Random(hash(name) & 0xFFFFFFFF)
    epochs = max(1, min(5, hpv("epochs", 2)))
    lr = hpv("learning_rate", 5e-5) or 5e-5
    image = algo.get("TrainingImage", "")
    m = re.search(r"transformers(\d+\.\d+(?:\.\d+)?)", image)
    ver = VERSIONS[3]
    if m:
        for vv in VERSIONS:
            if vv[0].startswith(m.group(1)):
                ver = vv
    hosts = max(1, int(rc.get("InstanceCount", 1) or 1))
    c = make_cfg(name, "imdb", ver, lr, epochs, max(1, hpv("train_batch_size", 32)), hosts=min(hosts, 16),
                 instance_type=rc.get("InstanceType", "ml.p3.2xlarge"),
                 metric_defs=algo.get("MetricDefinitions") or [], log_points=150, rng=rng)
    c.user_hp = {k: (json.loads(v) if v[:1] == '"' else v) for k, v in hp.items()
                 if not k.startswith("sagemaker_")}
    c.program = json.loads(hp["sagemaker_program"]) if hp.get("sagemaker_program", "")[:1] == '"' else "train.py"
    channels = [ch.get("ChannelName", "train") for ch in (req.get("InputDataConfig") or [])]
    c.channels = channels or ["training"]
    with store.lock:
        j = store.add_job(d, req.get("Tags") or [])
        events = build_events(c, rng, 180.0)
        life = Life(j, events, now, engine.speed, c.hosts, c)
        engine.play_until(life, now)
        engine.add_live(life)
    return j


def scale(store, engine, n_jobs, n_lines, seed=0, now=None, log_jobs=1):
    """Many small jobs inserted directly (no plans), and n_lines log lines: all in job 0, or
    spread over the first log_jobs jobs."""
    rng = random.Random(seed)
    now = now or time.time()
    statuses = ["Completed"] * 14 + ["Failed"] * 3 + ["Stopped"] * 2 + ["InProgress"]
    tmpl = make_cfg("scale-template", "imdb", VERSIONS[3], 5e-5, 1, 32, rng=rng)
    base = describe_record(tmpl, now)
    for i in range(n_jobs):
        status = statuses[rng.randrange(len(statuses))] if i else "Completed"
        created = now - (n_jobs - i) * 60.0
        name = "scale-job-%06d" % i
        d = dict(base)
        d.update({
            "TrainingJobName": name, "TrainingJobArn": st.job_arn(name),
            "TrainingJobStatus": status, "SecondaryStatus": status if status != "InProgress" else "Training",
            "CreationTime": created, "TrainingStartTime": created + 120,
            "LastModifiedTime": created + 900 if status != "InProgress" else now,
            "ModelArtifacts": {"S3ModelArtifacts": "s3://%s/%s/output/model.tar.gz" % (BUCKET, name)},
            "HyperParameters": dict(base["HyperParameters"], sagemaker_job_name=json.dumps(name),
                                    learning_rate=repr(rng.choice([1e-5, 2e-5, 3e-5, 5e-5]))),
            "SecondaryStatusTransitions": [
                {"Status": "Starting", "StartTime": created, "EndTime": created + 60,
                 "StatusMessage": "Preparing the instances for training"},
                {"Status": "Training", "StartTime": created + 120,
                 "StatusMessage": "Training image download completed. Training in progress."}],
        })
        if status != "InProgress":
            d["TrainingEndTime"] = created + 900
            d["TrainingTimeInSeconds"] = 780
            d["BillableTimeInSeconds"] = 780
            d["SecondaryStatusTransitions"][-1]["EndTime"] = created + 880
            d["SecondaryStatusTransitions"].append({
                "Status": status, "StartTime": created + 900, "EndTime": created + 900,
                "StatusMessage": {"Completed": "Training job completed", "Failed": "Training job failed",
                                  "Stopped": "Training job stopped"}[status]})
            if status == "Failed":
                d["FailureReason"] = failure_reason(OOM, "/opt/conda/bin/python3.9 train.py")
            if status == "Completed":
                d["FinalMetricDataList"] = [
                    {"MetricName": "eval_loss", "Value": round(rng.uniform(0.18, 0.4), 4),
                     "Timestamp": created + 880},
                    {"MetricName": "eval_accuracy", "Value": round(rng.uniform(0.85, 0.93), 4),
                     "Timestamp": created + 880}]
        store.add_job(d, [])
    # the big log: job 0, one stream, n_lines Trainer-like lines; with log_jobs K > 1 the lines
    # are spread over jobs 0..K-1 (one stream each), every job's log numbered as its own run
    k = max(1, min(log_jobs, n_jobs))
    for jx in range(k if n_jobs and n_lines else 0):
        n = n_lines // k + (1 if jx < n_lines % k else 0)
        name = "scale-job-%06d" % jx
        j = store.jobs[name]
        t0 = j.d["TrainingStartTime"]
        s = store.ensure_stream(st.LOG_GROUP, stream_name(name, 1, t0), int(t0 * 1000))
        t0ms = int(t0 * 1000)
        with store.lock:
            s.msg.extend(scale_lines(n))
            s.ts.extend(range(t0ms, t0ms + 10 * n, 10))
            s.ing.extend(range(t0ms + 200, t0ms + 200 + 10 * n, 10))


def scale_lines(total):
    """The scale job's log: tqdm bars, every tenth line a Trainer loss dict. Built a percent at a
    time (the bar's prefix is constant within one): the scale scenario with 2,000,000 lines
    takes 2.75 s of CPU where a format per line took 4.9 s."""
    def pct(i):
        return int(100 * (i / total)), int(10 * (i / total))
    out = []
    i = 0
    while i < total:
        key = pct(i)
        end = min(total, (key[0] + 1) * total // 100 + 1)
        while end > i + 1 and pct(end - 1) != key:
            end -= 1
        while end < total and pct(end) == key:
            end += 1
        pre = "%3d%%|%s| " % (key[0], "#" * key[1])
        suf = "/%d [00:00<00:00,  8.00it/s]" % total
        out.extend([pre + n + suf for n in map(str, range(i, end))])
        i = end
    for i in range(9, total, 10):
        prog = i / total
        out[i] = "{'loss': %.4f, 'learning_rate': %r, 'epoch': %.2f}" % (
            0.1 + 0.6 * math.exp(-4 * prog) + (i * 7919 % 100) / 5000.0, 5e-5 * (1 - prog), 3 * prog)
    return out


# ---------------------------------------------------------------------------------------------
# Multi-process jobs: every process's output from every host in one stream behind the
# launcher's prefix (Open MPI, SageMaker model parallel), or one torchrun per host. Values are
# a function of (rank, i) so that a test can name what each process printed:
#   loss   = 2.0 - 0.1 * i + 0.001 * rank     (a Trainer dict line, i = 0..n-1)
#   eval   = 0.9 - 0.1 * i + 0.001 * rank     ("***** eval metrics *****" block)
RANK_MD = [{"Name": "loss", "Regex": r"'loss': ([0-9.]+)"},
           {"Name": "eval_loss", "Regex": r"eval_loss\s*=\s*([0-9.]+)"}]


def rank_loss(rank, i):
    return round(2.0 - 0.1 * i + 0.001 * rank, 4)


def rank_eval(rank, i):
    return round(0.9 - 0.1 * i + 0.001 * rank, 4)


def _rank_lines(pre, rank, i, dup_stderr=None):
    """What one process prints at step i: a progress bar on stderr, a Trainer dict line, an eval
    block (and, with dup_stderr, the logger's copy of the block on stderr)."""
    out = ["%s %d%%|#         | %d/10 [00:01<00:09]#015%s %d%%|##        | %d/10 [00:02<00:08]"
           % (pre("stderr"), 10 * i, i, pre("stderr"), 10 * i + 5, i)]
    out.append(pre("stdout") + "{'loss': %s, 'learning_rate': 5e-05, 'epoch': %d.0}"
               % (rank_loss(rank, i), i + 1))
    block = ["***** eval metrics *****", "  epoch                   =        %d.0" % (i + 1),
             "  eval_loss               =     %s" % rank_eval(rank, i)]
    out += [pre("stdout") + b for b in block]
    if dup_stderr:
        out += [pre("stderr") + b for b in block]
    return out


def ranks(store, engine, now=None, steps=3):
    """Four Completed jobs whose logs hold launcher prefixes (see RANK_MD for the values)."""
    now = math.floor((now or time.time()) / 3600.0) * 3600.0 - 86400.0
    made = []

    def ompi(rank):
        return lambda s: "[1,%d]<%s>:" % (rank, s)

    def smp(rank, host):
        return lambda s: "[1,mpirank:%d,algo-%d]<%s>:" % (rank, host, s)

    def torch(local):
        return lambda s: "[default%d]:" % local

    # (name, instance type, hosts, per-host processes hyperparameter, stream lines)
    jobs = []
    # Open MPI 2 x 8 (SMDDP): all sixteen ranks in algo-1's stream; the local rank 0 of each host
    # (ranks 0 and 8) prints the Trainer's lines, rank 0 also logs its eval block on stderr
    lines = []
    for i in range(steps):
        for r in range(16):
            if r % 8 == 0:
                lines += _rank_lines(ompi(r), r, i, dup_stderr=(r == 0))
            else:
                lines.append(ompi(r)("stderr") + " %d%%|#         | %d/10" % (10 * i, i))
    jobs.append(("ranks-ompi-2x8", "ml.p4d.24xlarge", 2, 8, {1: lines}))
    # model parallel 2 x 8 on p3.16xlarge (8 GPUs, no hyperparameter): ranks 0 and 8 print
    lines = []
    for i in range(steps):
        for r in (0, 8, 3, 11):
            lines += _rank_lines(smp(r, r // 8 + 1), r, i) if r % 8 == 0 else [
                smp(r, r // 8 + 1)("stdout") + "[smp] partition step %d" % i]
    jobs.append(("ranks-smp-2x8", "ml.p3.16xlarge", 2, None, {1: lines}))
    # torchrun per host on g5.12xlarge (4 GPUs): [defaultN] local ranks in each host's stream;
    # global rank = (host - 1) * 4 + local
    per_host = {}
    for h in (1, 2):
        lines = []
        for i in range(steps):
            for local in range(4):
                g = (h - 1) * 4 + local
                lines += _rank_lines(torch(local), g, i) if local == 0 else [
                    torch(local)("") + "step %d done" % i]
        per_host[h] = lines
    jobs.append(("ranks-torchrun-2x4", "ml.g5.12xlarge", 2, None, per_host))
    # one host, Open MPI 4 processes: rank 0 prints each block on stdout and its logger copy on
    # stderr, interleaved with rank 1's copies of its own
    lines = []
    for i in range(steps):
        a = _rank_lines(ompi(0), 0, i, dup_stderr=True)
        b = _rank_lines(ompi(1), 1, i, dup_stderr=True)
        for x, y in zip(a, b):
            lines += [x, y]
    jobs.append(("ranks-dup-1x4", "ml.g5.12xlarge", 1, 4, {1: lines}))

    for k, (name, itype, hosts, nproc, streams) in enumerate(jobs):
        c = make_cfg(name, "imdb", VERSIONS[3], 5e-5, 1, 32, hosts=hosts, gpus=8,
                     instance_type=itype, metric_defs=list(RANK_MD), smddp=hosts > 1)
        creation = now + 600 * k
        d = describe_record(c, creation)
        if nproc is not None:
            d["HyperParameters"]["sagemaker_mpi_enabled"] = "true"
            d["HyperParameters"]["sagemaker_mpi_num_of_processes_per_host"] = str(nproc)
        ev = [(0.0, "st", "Starting", "Launching requested ML instances"),
              (5.0, "st", "Downloading", "Downloading input data"),
              (10.0, "st", "Training", "Training image download completed.")]
        for h, ls in streams.items():
            for n, text in enumerate(ls):
                ev.append((20.0 + 0.5 * n, "log", "algo-%d" % h, text))
        for h in range(1, hosts + 1):
            if h not in streams:
                ev.append((15.0, "log", "algo-%d" % h, "bash: no job control in this shell"))
        ev.append((40.0 + 0.5 * max(len(x) for x in streams.values()), "end", "Completed",
                   "Training job completed"))
        ev.sort(key=lambda e: e[0])
        with store.lock:
            j = store.add_job(d, [{"Key": "project", "Value": "ranks"}])
            engine.play_until(Life(j, ev, creation, 1.0, hosts, c), float("inf"))
        made.append(j)
    return made
