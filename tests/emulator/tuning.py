"""Automatic Model Tuning in the emulator: tuning jobs whose trials are real training jobs.

moto stores tuning jobs but runs no trials and has no ListTrainingJobsForHyperParameterTuningJob.
Here a tuning job is a DescribeHyperParameterTuningJob record plus its trials, each an ordinary
training job of the store (listed, described, logged like any other, with TuningJobArn set) and
the hyperparameter values the tuner picked. Counters, ObjectiveStatusCounters, BestTrainingJob,
status and times are computed from the trials at each request, as SageMaker reports them.

`install(store, engine, seed)` (emulator.py --tuning) adds:
  - hpo-distilbert-imdb-bayes   Bayesian, 24 finished trials (2 early-stopped, 1 failed):
                                learning_rate continuous 1e-5..1e-3 Logarithmic, epochs integer
                                1..3, train_batch_size categorical 16/32/64; eval_loss Minimize
  - hpo-distilbert-imdb-warm    Bayesian, 6 trials, warm start (IdenticalDataAndAlgorithm)
                                from hpo-distilbert-imdb-bayes
  - hpo-bert-sst2-hyperband     Hyperband (MinResource 1, MaxResource 3), 8 trials, eval_accuracy
                                Maximize
  - hpo-emotion-random-live     Random, running: 10 trials, 2 in parallel, 3 done at start; the
                                rest are created as slots free up and play in real time (60-90
                                simulated s each, --speed divides): 2 early-stopped, 1 failed
Trials carry only learning_rate in their own MetricDefinitions: their objective (eval_loss,
eval_accuracy) is defined by the tuning job's TrainingJobDefinition alone, so a client must use
those definitions to extract a trial's objective curve. Objective values are the last capture of
the objective's regex in algo-1's log, as SageMaker computes FinalMetricDataList.

The control API (`/_emulator/tuning`) holds the running tuning job's next trials ({"hold": true})
and caps the trials a page ({"page_cap": N}), for tests. The trials listing follows AWS: MaxResults 1..100 (default 10), NextToken, StatusEquals,
SortBy Name|CreationTime|Status|FinalObjectiveMetricValue (default Name; the last one leaves out
trials without an objective value), SortOrder (default Ascending).
"""
import random
import time

import scenario
import store as st

STATUS_ENUM = ["InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting"]
OBJ_DEFS = [
    {"Name": "eval_loss", "Regex": r"'eval_loss': ([0-9]+(.|e\-)[0-9]+),?"},
    {"Name": "eval_accuracy", "Regex": r"'eval_accuracy': ([0-9]+(.|e\-)[0-9]+),?"},
]
RANGES = {
    "IntegerParameterRanges": [{"Name": "epochs", "MinValue": "1", "MaxValue": "3",
                                "ScalingType": "Auto"}],
    "ContinuousParameterRanges": [{"Name": "learning_rate", "MinValue": "1e-05",
                                   "MaxValue": "0.001", "ScalingType": "Logarithmic"}],
    "CategoricalParameterRanges": [{"Name": "train_batch_size", "Values": ["16", "32", "64"]}],
    "AutoParameters": [],
}


def tuning_arn(name):
    return f"arn:aws:sagemaker:{st.REGION}:{st.ACCOUNT}:hyper-parameter-tuning-job/{name.lower()}"


class Tuning:
    """One tuning job: the static describe part, its trials (store Jobs) and their tuned values."""

    def __init__(self, d, task, parallel, plan=None):
        self.d = d
        self.task = task
        self.parallel = parallel
        self.trials = []        # Job, in creation order
        self.tuned = {}         # trial name -> {hp: str}
        self.plan = plan or []  # live: (tuned, outcome, cut, duration) still to create
        self.stopped = False
        self.scores = {}        # trial name -> FinalMetricDataList by the tuning definitions
        self.hold = False       # control API: no new trial is started while set

    @property
    def name(self):
        return self.d["HyperParameterTuningJobName"]

    @property
    def objective(self):
        return self.d["HyperParameterTuningJobConfig"]["HyperParameterTuningJobObjective"]

    def trial_summary(self, j):
        d = j.d
        s = {"TrainingJobName": d["TrainingJobName"], "TrainingJobArn": d["TrainingJobArn"],
             "TuningJobName": self.name, "CreationTime": d["CreationTime"],
             "TrainingJobStatus": d["TrainingJobStatus"],
             "TunedHyperParameters": dict(self.tuned[d["TrainingJobName"]])}
        for k in ("TrainingStartTime", "TrainingEndTime", "FailureReason"):
            if k in d:
                s[k] = d[k]
        value = self.objective_value(d["TrainingJobName"])
        status = d["TrainingJobStatus"]
        if status in ("Completed", "Stopped") and value is not None:
            s["ObjectiveStatus"] = "Succeeded"
            s["FinalHyperParameterTuningJobObjectiveMetric"] = {
                "Type": self.objective["Type"], "MetricName": self.objective["MetricName"],
                "Value": value}
        elif status in ("Failed",) or (status in st.TERMINAL and value is None):
            s["ObjectiveStatus"] = "Failed"
        else:
            s["ObjectiveStatus"] = "Pending"
        return s

    def objective_value(self, trial):
        for m in self.scores.get(trial, []):
            if m["MetricName"] == self.objective["MetricName"]:
                return m["Value"]
        return None

    def score(self, store, j):
        """The objective values of a trial that has ended (the tuning job's definitions)."""
        d = j.d
        if d["TrainingJobStatus"] in st.TERMINAL and d["TrainingJobName"] not in self.scores:
            self.scores[d["TrainingJobName"]] = scenario.final_metrics(
                store, {"TrainingJobName": d["TrainingJobName"],
                        "AlgorithmSpecification": {"MetricDefinitions": OBJ_DEFS}})

    def best(self):
        best, sign = None, -1 if self.objective["Type"] == "Maximize" else 1
        for j in self.trials:
            s = self.trial_summary(j)
            m = s.get("FinalHyperParameterTuningJobObjectiveMetric")
            if m is None:
                continue
            if best is None or sign * m["Value"] < sign * best[0]:
                best = (m["Value"], s)
        return best[1] if best else None

    def status(self):
        if self.stopped:
            return "Stopped"
        done = all(j.d["TrainingJobStatus"] in st.TERMINAL for j in self.trials)
        return "Completed" if done and not self.plan else "InProgress"

    def describe(self):
        d = dict(self.d)
        c = {"Completed": 0, "InProgress": 0, "RetryableError": 0, "NonRetryableError": 0,
             "Stopped": 0}
        o = {"Succeeded": 0, "Pending": 0, "Failed": 0}
        last = d["CreationTime"]
        for j in self.trials:
            status = j.d["TrainingJobStatus"]
            key = {"Failed": "NonRetryableError", "Stopping": "InProgress"}.get(status, status)
            c[key] = c.get(key, 0) + 1
            o[self.trial_summary(j)["ObjectiveStatus"]] += 1
            last = max(last, j.d.get("LastModifiedTime", j.d["CreationTime"]))
        d["TrainingJobStatusCounters"] = c
        d["ObjectiveStatusCounters"] = o
        d["HyperParameterTuningJobStatus"] = self.status()
        d["LastModifiedTime"] = last
        if d["HyperParameterTuningJobStatus"] != "InProgress":
            d["HyperParameterTuningEndTime"] = max(
                [j.d.get("TrainingEndTime", last) for j in self.trials] or [last])
        b = self.best()
        if b is not None:
            d["BestTrainingJob"] = b
        return d

    def summary(self):
        d = self.describe()
        s = {k: d[k] for k in ("HyperParameterTuningJobName", "HyperParameterTuningJobArn",
                               "HyperParameterTuningJobStatus", "CreationTime",
                               "LastModifiedTime", "TrainingJobStatusCounters",
                               "ObjectiveStatusCounters")}
        s["Strategy"] = d["HyperParameterTuningJobConfig"]["Strategy"]
        s["ResourceLimits"] = d["HyperParameterTuningJobConfig"]["ResourceLimits"]
        if "HyperParameterTuningEndTime" in d:
            s["HyperParameterTuningEndTime"] = d["HyperParameterTuningEndTime"]
        return s




# ---- the three AWS operations -------------------------------------------------------------------
def _get(store, name):
    t = getattr(store, "tuning", {}).get(name)
    if t is None:
        raise st.ApiError("ResourceNotFound", "Amazon SageMaker can't find a tuning job with name "
                          f"{name}")
    return t


def describe(store, p):
    """DescribeHyperParameterTuningJob; None (moto's answer) for a job this layer does not hold."""
    with store.lock:
        t = getattr(store, "tuning", {}).get(p.get("HyperParameterTuningJobName"))
        return None if t is None else t.describe()


def _page_args(p, sort_fields, default_sort):
    mr = p.get("MaxResults", 10)
    errs = []
    if not isinstance(mr, int) or not 1 <= mr <= 100:
        errs.append(f"Value '{mr}' at 'maxResults' failed to satisfy constraint: Member must have "
                    "value " + ("less than or equal to 100" if isinstance(mr, int) and mr > 100
                                else "greater than or equal to 1"))
    sort_by = p.get("SortBy", default_sort)
    if sort_by not in sort_fields:
        errs.append(f"Value '{sort_by}' at 'sortBy' failed to satisfy constraint: Member must "
                    f"satisfy enum value set: [{', '.join(sort_fields)}]")
    order = p.get("SortOrder", "Ascending")
    if order not in ("Ascending", "Descending"):
        errs.append(f"Value '{order}' at 'sortOrder' failed to satisfy constraint: Member must "
                    "satisfy enum value set: [Ascending, Descending]")
    return mr, sort_by, order, errs


def _paginate(rows, p, mr, query):
    offset = 0
    if p.get("NextToken"):
        tok = st._tok_decode(p["NextToken"])
        if not isinstance(tok, dict) or tok.get("q") != st.hash_str(query):
            raise st.ApiError("ValidationException", "Invalid pagination token: the request "
                              "parameters changed since the token was issued.")
        offset = int(tok.get("o", 0))
    page = rows[offset:offset + mr]
    nxt = None
    if offset + mr < len(rows):
        nxt = st._tok_encode({"o": offset + mr, "q": st.hash_str(query)})
    return page, nxt


def _moto_summary(job):
    """A moto-held tuning job (one a client created) as this layer's summaries are: times in
    epoch seconds, absent members left out as AWS leaves them out."""
    out = {}
    for k, v in job.summary().items():
        if v is None:
            continue
        out[k] = v.timestamp() if hasattr(v, "timestamp") else v
    return out


def list_tuning(store, p, backend=None):
    """ListHyperParameterTuningJobs over this layer's jobs and those created through moto
    (CreateHyperParameterTuningJob); moto's own answer when this layer holds none."""
    with store.lock:
        jobs = list(getattr(store, "tuning", {}).values())
        if not jobs:
            return None
        created = [j for name, j in (getattr(backend, "hyper_parameter_tuning_jobs", None) or
                                     {}).items() if name not in store.tuning]
        mr, sort_by, order, errs = _page_args(p, ["Name", "Status", "CreationTime"], "Name")
        status = p.get("StatusEquals")
        if status is not None and status not in ("Completed", "InProgress", "Failed", "Stopped",
                                                 "Stopping", "Deleting", "DeleteFailed"):
            errs.append(f"Value '{status}' at 'statusEquals' failed to satisfy constraint: "
                        "Member must satisfy enum value set: [Completed, InProgress, Failed, "
                        "Stopped, Stopping, Deleting, DeleteFailed]")
        if errs:
            raise st.ApiError("ValidationException", st.validation_message(errs))
        rows = [t.summary() for t in jobs] + [_moto_summary(j) for j in created]
        nc = (p.get("NameContains") or "").lower()
        rows = [r for r in rows if nc in r["HyperParameterTuningJobName"].lower()
                and (status is None or r["HyperParameterTuningJobStatus"] == status)]
        key = {"Name": lambda r: r["HyperParameterTuningJobName"],
               "Status": lambda r: (r["HyperParameterTuningJobStatus"], r["CreationTime"]),
               "CreationTime": lambda r: (r["CreationTime"], r["HyperParameterTuningJobName"])}
        rows.sort(key=key[sort_by], reverse=order == "Descending")
        query = repr((sort_by, order, nc, status))
        page, nxt = _paginate(rows, p, mr, query)
        out = {"HyperParameterTuningJobSummaries": page}
        if nxt:
            out["NextToken"] = nxt
        return out


def list_trials(store, p):
    """ListTrainingJobsForHyperParameterTuningJob."""
    with store.lock:
        t = _get(store, p.get("HyperParameterTuningJobName"))
        mr, sort_by, order, errs = _page_args(
            p, ["Name", "CreationTime", "Status", "FinalObjectiveMetricValue"], "Name")
        if not errs:
            # the control API's page_cap: shorter pages than asked, so that a client's paging
            # is exercised without hundreds of trials (NextToken says more follow, as AWS)
            mr = min(mr, getattr(store, "tuning_page_cap", 100))
        status = p.get("StatusEquals")
        if status is not None and status not in STATUS_ENUM:
            errs.append(f"Value '{status}' at 'statusEquals' failed to satisfy constraint: Member "
                        f"must satisfy enum value set: [{', '.join(STATUS_ENUM)}]")
        if errs:
            raise st.ApiError("ValidationException", st.validation_message(errs))
        rows = [t.trial_summary(j) for j in t.trials]
        if status is not None:
            rows = [r for r in rows if r["TrainingJobStatus"] == status]
        if sort_by == "FinalObjectiveMetricValue":
            # AWS: trials that did not return an objective value are not listed
            rows = [r for r in rows if "FinalHyperParameterTuningJobObjectiveMetric" in r]
            key = lambda r: r["FinalHyperParameterTuningJobObjectiveMetric"]["Value"]  # noqa
        else:
            key = {"Name": lambda r: r["TrainingJobName"],
                   "CreationTime": lambda r: (r["CreationTime"], r["TrainingJobName"]),
                   "Status": lambda r: (r["TrainingJobStatus"], r["TrainingJobName"])}[sort_by]
        rows.sort(key=key, reverse=order == "Descending")
        page, nxt = _paginate(rows, p, mr, repr((t.name, sort_by, order, status)))
        out = {"TrainingJobSummaries": page}
        if nxt:
            out["NextToken"] = nxt
        return out


# ---- building the scenario ----------------------------------------------------------------------
def _tuning_record(name, strategy, objective, otype, max_jobs, parallel, creation, task,
                   warm_from=None, hyperband=False):
    cfg = {"Strategy": strategy,
           "HyperParameterTuningJobObjective": {"Type": otype, "MetricName": objective},
           "ResourceLimits": {"MaxNumberOfTrainingJobs": max_jobs,
                              "MaxParallelTrainingJobs": parallel},
           "ParameterRanges": RANGES,
           "TrainingJobEarlyStoppingType": "Off" if hyperband else "Auto"}
    if hyperband:
        cfg["StrategyConfig"] = {"HyperbandStrategyConfig": {"MinResource": 1, "MaxResource": 3}}
    model = scenario.TASKS[task][0]
    d = {"HyperParameterTuningJobName": name, "HyperParameterTuningJobArn": tuning_arn(name),
         "HyperParameterTuningJobConfig": cfg,
         "TrainingJobDefinition": {
             "StaticHyperParameters": {"model_name_or_path": '"%s"' % model,
                                       "sagemaker_program": '"train.py"',
                                       "sagemaker_region": '"%s"' % st.REGION},
             "AlgorithmSpecification": {
                 "TrainingImage": scenario.IMAGE.format("2.0.0-transformers4.28.1-gpu-py310-cu118-"
                                                        "ubuntu20.04"),
                 "TrainingInputMode": "File", "MetricDefinitions": OBJ_DEFS},
             "RoleArn": scenario.ROLE,
             "OutputDataConfig": {"S3OutputPath": "s3://%s/" % scenario.BUCKET},
             "ResourceConfig": {"InstanceType": "ml.p3.2xlarge", "InstanceCount": 1,
                                "VolumeSizeInGB": 30},
             "StoppingCondition": {"MaxRuntimeInSeconds": 86400}},
         "CreationTime": creation, "LastModifiedTime": creation}
    if warm_from:
        d["WarmStartConfig"] = {"ParentHyperParameterTuningJobs": [
            {"HyperParameterTuningJobName": warm_from}],
            "WarmStartType": "IdenticalDataAndAlgorithm"}
    return d


def _draw(rng, strategy, i):
    lr = 10 ** rng.uniform(-5, -3)
    if strategy == "Bayesian" and i > 6:
        lr = 10 ** rng.gauss(-4.4, 0.25)  # Bayesian homes in on the good region
        lr = min(1e-3, max(1e-5, lr))
    return {"epochs": str(rng.randint(1, 3)), "learning_rate": "%.10g" % lr,
            "train_batch_size": rng.choice(["16", "32", "64"])}


def _trial(store, engine, t, idx, tuned, outcome, cut, duration, creation, rng,
           live_elapsed=None):
    name = "%s-%03d-%08x" % (t.name, idx, rng.getrandbits(32))
    lr, ep, bs = float(tuned["learning_rate"]), int(tuned["epochs"]), int(tuned["train_batch_size"])
    c = scenario.make_cfg(name, t.task, scenario.VERSIONS[3], lr, ep, bs, log_points=12 * ep,
                          metric_defs=[scenario.MD_LR], rng=rng)
    c.user_hp.update({"epochs": ep, "learning_rate": lr, "train_batch_size": bs})
    t.tuned[name] = tuned
    j = scenario.install(store, engine, c, creation, duration, outcome, cut, rng=rng,
                         fail_kind="oom", live_elapsed=live_elapsed,
                         tags=[{"Key": "sagemaker:tuning-job", "Value": t.name}])
    j.d["TuningJobArn"] = t.d["HyperParameterTuningJobArn"]
    for k, v in tuned.items():
        j.d["HyperParameters"][k] = v
    t.trials.append(j)
    t.score(store, j)
    return j


def _outcomes(n, stopped, failed, rng):
    out = ["Completed"] * (n - stopped - failed) + ["Stopped"] * stopped + ["Failed"] * failed
    rng.shuffle(out)
    # never fail the first trial: the tuner would stop there
    if out[0] == "Failed":
        k = out.index("Completed")
        out[0], out[k] = out[k], out[0]
    return out


def _history(store, engine, t, n, stopped, failed, start, rng):
    step = 900.0 / max(1, t.parallel)
    for i, outcome in enumerate(_outcomes(n, stopped, failed, rng)):
        cut = rng.uniform(0.3, 0.6) if outcome != "Completed" else None
        _trial(store, engine, t, i + 1, _draw(rng, t.d["HyperParameterTuningJobConfig"]["Strategy"],
                                               i), outcome, cut, rng.uniform(700, 1100),
               start + 60 + i * step, rng)


class LiveTuning:
    """Creates the running tuning job's next trials as slots free up (Engine.tickers)."""

    def __init__(self, store, engine, t, rng):
        self.store, self.engine, self.t, self.rng = store, engine, t, rng

    def __call__(self, now):
        t = self.t
        for j in t.trials:
            t.score(self.store, j)
        running = sum(1 for j in t.trials if j.d["TrainingJobStatus"] not in st.TERMINAL)
        while t.plan and running < t.parallel and not t.stopped and not t.hold:
            tuned, outcome, cut, duration = t.plan.pop(0)
            _trial(self.store, self.engine, t, len(t.trials) + 1, tuned, outcome, cut, duration,
                   now, self.rng, live_elapsed=0.0)
            running += 1


def install(store, engine, seed=0, now=None):
    rng = random.Random(seed ^ 0x7A11)
    now = now or time.time()
    hist = int(now // 3600) * 3600.0
    real_now = time.time()
    store.tuning = getattr(store, "tuning", {})
    day = 86400.0

    def add(d, task, parallel):
        t = Tuning(d, task, parallel)
        store.tuning[t.name] = t
        return t

    bayes = add(_tuning_record("hpo-distilbert-imdb-bayes", "Bayesian", "eval_loss", "Minimize",
                               24, 3, hist - 3 * day, "imdb"), "imdb", 3)
    _history(store, engine, bayes, 24, 2, 1, hist - 3 * day, rng)
    warm = add(_tuning_record("hpo-distilbert-imdb-warm", "Bayesian", "eval_loss", "Minimize", 6,
                              2, hist - 1 * day, "imdb", warm_from=bayes.name), "imdb", 2)
    _history(store, engine, warm, 6, 0, 0, hist - 1 * day, rng)
    hb = add(_tuning_record("hpo-bert-sst2-hyperband", "Hyperband", "eval_accuracy", "Maximize",
                            8, 4, hist - 2 * day, "sst2", hyperband=True), "sst2", 4)
    _history(store, engine, hb, 8, 3, 0, hist - 2 * day, rng)
    # the running one: 3 trials done before now, 7 still to run, 2 at a time
    live = add(_tuning_record("hpo-emotion-random-live", "Random", "eval_accuracy", "Maximize",
                              10, 2, real_now - 400 / engine.speed, "emotion"), "emotion", 2)
    for i in range(3):
        _trial(store, engine, live, i + 1, _draw(rng, "Random", i), "Completed", None,
               120.0 / engine.speed, real_now - (400 - i * 100) / engine.speed, rng)
    outs = ["Completed", "Stopped", "Completed", "Failed", "Stopped", "Completed", "Completed"]
    live.plan = [(_draw(rng, "Random", 3 + i), o, rng.uniform(0.35, 0.6) if o != "Completed"
                  else None, rng.uniform(60, 90)) for i, o in enumerate(outs)]
    engine.tickers.append(LiveTuning(store, engine, live, rng))
    return [bayes, warm, hb, live]


def control(store, req):
    """The control API's `tuning`: {"page_cap": N} (trials a page at most), {"hold": bool} (the
    running tuning jobs start no new trial while set); answers each tuning job's trial count."""
    with store.lock:
        jobs = getattr(store, "tuning", {})
        if "page_cap" in req:
            store.tuning_page_cap = max(1, int(req["page_cap"]))
        if "hold" in req:
            for t in jobs.values():
                t.hold = bool(req["hold"])
        return {name: {"trials": len(t.trials), "status": t.status(), "hold": t.hold}
                for name, t in jobs.items()}
