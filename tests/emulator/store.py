"""In-memory state of the emulator: training jobs and CloudWatch Logs, and the AWS operations on them.

This module owns the data and the AWS semantics (filters, pagination tokens, error shapes). It does
no HTTP and no authentication: emulator.py plugs these handlers into moto's response classes, so
moto still checks every request's SigV4 signature and IAM permissions before they run.

Times: jobs keep epoch seconds (floats, as SageMaker's JSON wire form); logs keep epoch ms (ints).
Every public method takes the store lock; the live-job thread mutates through the same methods.
"""
import base64
import bisect
import copy
import heapq
import json
import re
import threading
import time

REGION = "us-east-1"
ACCOUNT = "123456789012"
LOG_GROUP = "/aws/sagemaker/TrainingJobs"
JOB_STATUSES = ["InProgress", "Completed", "Failed", "Stopping", "Stopped", "Deleting"]
TERMINAL = ("Completed", "Failed", "Stopped")


class ApiError(Exception):
    """An AWS error answer: HTTP status, error code (JSON __type) and message."""

    def __init__(self, code, message, status=400):
        super().__init__(message)
        self.code = code
        self.message = message
        self.status = status


def _tok_encode(obj):
    return base64.urlsafe_b64encode(json.dumps(obj, separators=(",", ":")).encode()).decode()


def _tok_decode(tok, what="NextToken"):
    try:
        return json.loads(base64.urlsafe_b64decode(tok.encode()))
    except Exception:
        raise ApiError("ValidationException", f"Invalid pagination token: {what}")


def job_arn(name):
    return f"arn:aws:sagemaker:{REGION}:{ACCOUNT}:training-job/{name.lower()}"


class Job:
    """One training job. `d` is the DescribeTrainingJob answer (timestamps as epoch seconds)."""

    __slots__ = ("d", "tags", "live", "seq")

    def __init__(self, d, tags=None, seq=0):
        self.d = d
        self.tags = tags or []
        self.live = None  # scenario.Life when the job is simulated in real time
        self.seq = seq

    @property
    def name(self):
        return self.d["TrainingJobName"]

    def summary(self):
        d = self.d
        s = {
            "TrainingJobName": d["TrainingJobName"],
            "TrainingJobArn": d["TrainingJobArn"],
            "CreationTime": d["CreationTime"],
            "TrainingJobStatus": d["TrainingJobStatus"],
            "SecondaryStatus": d["SecondaryStatus"],
            "LastModifiedTime": d.get("LastModifiedTime", d["CreationTime"]),
        }
        if "TrainingEndTime" in d:
            s["TrainingEndTime"] = d["TrainingEndTime"]
        return s


class Stream:
    __slots__ = ("name", "sid", "creation_ms", "ts", "msg", "ing", "stored_bytes")

    def __init__(self, name, sid, creation_ms):
        self.name = name
        self.sid = sid
        self.creation_ms = creation_ms
        self.ts = []
        self.msg = []
        self.ing = []
        self.stored_bytes = 0

    def append(self, ts_ms, message, ingest_ms):
        if not self.ts or ts_ms >= self.ts[-1]:
            self.ts.append(ts_ms)
            self.msg.append(message)
            self.ing.append(ingest_ms)
        else:
            i = bisect.bisect_right(self.ts, ts_ms)
            self.ts.insert(i, ts_ms)
            self.msg.insert(i, message)
            self.ing.insert(i, ingest_ms)
        self.stored_bytes += len(message.encode("utf-8", "surrogateescape"))

    def event_id(self, idx):
        # 56 digits like AWS's; unique across all streams of the emulator
        return f"{self.ts[idx]:020d}{self.sid:010d}{idx:026d}"

    def describe(self, group):
        d = {
            "logStreamName": self.name,
            "creationTime": self.creation_ms,
            "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{group}:log-stream:{self.name}",
            "storedBytes": 0,
        }
        if self.ts:
            d["firstEventTimestamp"] = self.ts[0]
            d["lastEventTimestamp"] = self.ts[-1]
            d["lastIngestionTime"] = max(self.ing[-1], self.ing[0])
            d["uploadSequenceToken"] = str(len(self.ts))
        return d


class LogGroup:
    def __init__(self, name, creation_ms):
        self.name = name
        self.creation_ms = creation_ms
        self.streams = {}  # name -> Stream
        self.sorted_names = []

    def add_stream(self, stream):
        self.streams[stream.name] = stream
        bisect.insort(self.sorted_names, stream.name)


# ---------------------------------------------------------------------------------------------
# CloudWatch Logs filter patterns: the subset sagetop and the CLI need. Terms separated by spaces
# must all occur; "quoted phrases" are one term; ?a ?b means any of them; -term excludes.
def compile_filter_pattern(pattern):
    if not pattern or not pattern.strip():
        return None
    p = pattern.strip()
    if p.startswith("{") or p.startswith("["):
        raise ApiError("InvalidParameterException",
                       "JSON and space-delimited filter patterns are not supported by the emulator")
    terms = re.findall(r'[?-]?"(?:[^"\\]|\\.)*"|\S+', p)
    must, anyof, nots = [], [], []
    for t in terms:
        kind = ""
        if t[0] in "?-":
            kind, t = t[0], t[1:]
        if len(t) >= 2 and t[0] == '"' and t[-1] == '"':
            t = t[1:-1].replace('\\"', '"')
        {"": must, "?": anyof, "-": nots}[kind].append(t)

    def match(msg):
        if any(t not in msg for t in must):
            return False
        if anyof and not any(t in msg for t in anyof):
            return False
        return not any(t in msg for t in nots)

    return match


class Store:
    def __init__(self):
        self.lock = threading.RLock()
        self.jobs = {}  # name -> Job
        self.groups = {}
        self._next_sid = 1
        self._seq = 0
        self.on_job_created = None  # set by the scenario layer: gives new jobs a life

    # ---------------------------------------------------------------- logs: mutation
    def ensure_group(self, name):
        with self.lock:
            g = self.groups.get(name)
            if g is None:
                g = self.groups[name] = LogGroup(name, int(time.time() * 1000))
            return g

    def ensure_stream(self, group, name, creation_ms=None):
        with self.lock:
            g = self.ensure_group(group)
            s = g.streams.get(name)
            if s is None:
                s = Stream(name, self._next_sid,
                           creation_ms if creation_ms is not None else int(time.time() * 1000))
                self._next_sid += 1
                g.add_stream(s)
            return s

    def put_events(self, group, stream, events, ingest_ms=None):
        """events: iterable of (timestamp_ms, message)."""
        with self.lock:
            s = self.ensure_stream(group, stream)
            ing = ingest_ms if ingest_ms is not None else int(time.time() * 1000)
            for ts, msg in events:
                s.append(int(ts), msg, max(ing, int(ts)) if ingest_ms is None else ing)
            return s

    # ---------------------------------------------------------------- jobs: mutation
    def add_job(self, d, tags=None):
        with self.lock:
            self._seq += 1
            j = Job(d, tags, self._seq)
            self.jobs[d["TrainingJobName"]] = j
            return j

    def get_job(self, name):
        with self.lock:
            j = self.jobs.get(name)
            if j is None:
                raise ApiError("ValidationException", "Requested resource not found.")
            return j

    # ================================================================= SageMaker operations
    def describe_training_job(self, p):
        name = p.get("TrainingJobName")
        if not isinstance(name, str):
            raise ApiError("ValidationException", "1 validation error detected: Value null at "
                           "'trainingJobName' failed to satisfy constraint: Member must not be null")
        with self.lock:
            j = self.get_job(name)
            return copy.deepcopy(j.d)

    def list_training_jobs(self, p):
        max_results = p.get("MaxResults", 10)
        errs = []
        if not isinstance(max_results, int) or not 1 <= max_results <= 100:
            errs.append(f"Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
                        "Member must have value less than or equal to 100"
                        if isinstance(max_results, int) and max_results > 100 else
                        f"Value '{max_results}' at 'maxResults' failed to satisfy constraint: "
                        "Member must have value greater than or equal to 1")
        sort_by = p.get("SortBy", "CreationTime")
        if sort_by not in ("Name", "CreationTime", "Status"):
            errs.append(f"Value '{sort_by}' at 'sortBy' failed to satisfy constraint: Member must "
                        "satisfy enum value set: [Name, CreationTime, Status]")
        order = p.get("SortOrder", "Ascending")
        if order not in ("Ascending", "Descending"):
            errs.append(f"Value '{order}' at 'sortOrder' failed to satisfy constraint: Member must "
                        "satisfy enum value set: [Ascending, Descending]")
        status = p.get("StatusEquals")
        if status is not None and status not in JOB_STATUSES:
            errs.append(f"Value '{status}' at 'statusEquals' failed to satisfy constraint: Member "
                        f"must satisfy enum value set: [{', '.join(JOB_STATUSES)}]")
        nc = p.get("NameContains")
        if nc is not None and (not isinstance(nc, str) or len(nc) > 63
                               or not re.fullmatch(r"[a-zA-Z0-9\-]+", nc)):
            errs.append(f"Value '{nc}' at 'nameContains' failed to satisfy constraint: Member must "
                        "satisfy regular expression pattern: [a-zA-Z0-9\\-]+")
        if errs:
            raise ApiError("ValidationException", validation_message(errs))

        def ts(k):
            v = p.get(k)
            return float(v) if v is not None else None

        ca, cb = ts("CreationTimeAfter"), ts("CreationTimeBefore")
        ma, mb = ts("LastModifiedTimeAfter"), ts("LastModifiedTimeBefore")
        query_key = json.dumps({k: p.get(k) for k in (
            "SortBy", "SortOrder", "NameContains", "CreationTimeAfter", "CreationTimeBefore",
            "LastModifiedTimeAfter", "LastModifiedTimeBefore")}, sort_keys=True)
        offset = 0
        if p.get("NextToken"):
            t = _tok_decode(p["NextToken"])
            if not isinstance(t, dict) or t.get("q") != hash_str(query_key):
                raise ApiError("ValidationException", "Invalid pagination token: the request "
                               "parameters changed since the token was issued.")
            offset = int(t.get("o", 0))
        with self.lock:
            rows = []
            ncl = nc.lower() if nc else None
            for j in self.jobs.values():
                d = j.d
                if ncl and ncl not in d["TrainingJobName"].lower():
                    continue
                c = d["CreationTime"]
                m = d.get("LastModifiedTime", c)
                if ca is not None and not c > ca:
                    continue
                if cb is not None and not c < cb:
                    continue
                if ma is not None and not m > ma:
                    continue
                if mb is not None and not m < mb:
                    continue
                rows.append(j)
            if sort_by == "Name":
                key = lambda j: j.d["TrainingJobName"]  # noqa: E731
            elif sort_by == "Status":
                key = lambda j: (j.d["TrainingJobStatus"], j.d["CreationTime"])  # noqa: E731
            else:
                key = lambda j: (j.d["CreationTime"], j.d["TrainingJobName"])  # noqa: E731
            rows.sort(key=key, reverse=(order == "Descending"))
            page = rows[offset:offset + max_results]
            # AWS documents that with StatusEquals and MaxResults it first takes MaxResults jobs
            # ignoring the status, then filters them: pages may be short or empty mid-listing.
            if status:
                page = [j for j in page if j.d["TrainingJobStatus"] == status]
            out = {"TrainingJobSummaries": [j.summary() for j in page]}
            if offset + max_results < len(rows):
                out["NextToken"] = _tok_encode({"o": offset + max_results,
                                                "q": hash_str(query_key)})
            return out

    def stop_training_job(self, p, on_stop):
        name = p.get("TrainingJobName")
        with self.lock:
            j = self.get_job(name)
            st = j.d["TrainingJobStatus"]
            if st != "InProgress":
                raise ApiError("ValidationException",
                               f"The request was rejected because the training job is in status {st}.")
            on_stop(j)
            return {}

    def list_tags(self, p):
        """ListTags of a training job (by ARN); other resources are moto's."""
        arn = p.get("ResourceArn") or ""
        if ":training-job/" not in arn:
            return None
        with self.lock:
            for j in self.jobs.values():
                if j.d["TrainingJobArn"] == arn:
                    return {"Tags": copy.deepcopy(j.tags)}
        raise ApiError("ValidationException", f"Could not find the resource {arn}.")

    def search(self, p):
        if p.get("Resource") != "TrainingJob":
            return None  # moto answers other resources
        expr = p.get("SearchExpression")
        max_results = p.get("MaxResults", 10)
        if not isinstance(max_results, int) or not 1 <= max_results <= 100:
            raise ApiError("ValidationException", validation_message([
                f"Value '{max_results}' at 'maxResults' failed to satisfy constraint: Member must "
                "have value less than or equal to 100"]))
        sort_by = p.get("SortBy", "CreationTime")
        order = p.get("SortOrder", "Descending")
        offset = int(_tok_decode(p["NextToken"]).get("o", 0)) if p.get("NextToken") else 0
        with self.lock:
            rows = [j for j in self.jobs.values() if expr is None or eval_search(expr, j)]

            def sk(j):
                v = search_value(j, sort_by)
                return (v is None, v if v is not None else 0, j.d["TrainingJobName"])
            try:
                rows.sort(key=sk, reverse=(order == "Descending"))
            except TypeError:
                rows.sort(key=lambda j: str(sk(j)), reverse=(order == "Descending"))
            page = rows[offset:offset + max_results]
            res = []
            for j in page:
                tj = {k: copy.deepcopy(v) for k, v in j.d.items() if k not in DESCRIBE_ONLY}
                tj["Tags"] = copy.deepcopy(j.tags)
                res.append({"TrainingJob": tj})
            out = {"Results": res}
            if offset + max_results < len(rows):
                out["NextToken"] = _tok_encode({"o": offset + max_results})
            return out

    # ================================================================= Logs operations
    def _group(self, p):
        name = p.get("logGroupName")
        ident = p.get("logGroupIdentifier")
        if name and ident:
            raise ApiError("InvalidParameterException",
                           "LogGroup name and LogGroup ARN are mutually exclusive parameters.")
        if ident:
            name = ident.split(":log-group:")[-1].rstrip("*").rstrip(":") if ident.startswith("arn:") else ident
        if not name:
            raise ApiError("InvalidParameterException",
                           "Should provide either name or identifier for log group")
        g = self.groups.get(name)
        if g is None:
            raise ApiError("ResourceNotFoundException", "The specified log group does not exist.")
        return g

    def create_log_group(self, p):
        with self.lock:
            name = p.get("logGroupName")
            if name in self.groups:
                raise ApiError("ResourceAlreadyExistsException",
                               "The specified log group already exists")
            self.ensure_group(name)
            return {}

    def create_log_stream(self, p):
        with self.lock:
            g = self._group(p)
            name = p.get("logStreamName")
            if name in g.streams:
                raise ApiError("ResourceAlreadyExistsException",
                               "The specified log stream already exists")
            self.ensure_stream(g.name, name)
            return {}

    def put_log_events(self, p):
        with self.lock:
            g = self._group(p)
            s = g.streams.get(p.get("logStreamName"))
            if s is None:
                raise ApiError("ResourceNotFoundException",
                               "The specified log stream does not exist.")
            evs = p.get("logEvents") or []
            self.put_events(g.name, s.name, [(e["timestamp"], e["message"]) for e in evs])
            return {"nextSequenceToken": f"{len(s.ts):056d}"}

    def describe_log_groups(self, p):
        with self.lock:
            prefix = p.get("logGroupNamePrefix") or ""
            limit = check_limit(p, 50, 50)
            names = sorted(n for n in self.groups if n.startswith(prefix))
            start = 0
            if p.get("nextToken"):
                start = int(_tok_decode(p["nextToken"], "nextToken").get("o", 0))
            page = names[start:start + limit]
            out = {"logGroups": [{
                "logGroupName": n, "creationTime": self.groups[n].creation_ms,
                "metricFilterCount": 0, "storedBytes": 0,
                "arn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{n}:*",
                "logGroupArn": f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:{n}",
            } for n in page]}
            if start + limit < len(names):
                out["nextToken"] = _tok_encode({"o": start + limit})
            return out

    def describe_log_streams(self, p):
        limit = check_limit(p, 50, 50)
        order_by = p.get("orderBy", "LogStreamName")
        if order_by not in ("LogStreamName", "LastEventTime"):
            raise ApiError("InvalidParameterException", validation_message([
                f"Value '{order_by}' at 'orderBy' failed to satisfy constraint: Member must "
                "satisfy enum value set: [LogStreamName, LastEventTime]"]))
        prefix = p.get("logStreamNamePrefix")
        if prefix and order_by == "LastEventTime":
            raise ApiError("InvalidParameterException",
                           "Cannot order by LastEventTime with a logStreamNamePrefix.")
        desc = bool(p.get("descending", False))
        with self.lock:
            g = self._group(p)
            if order_by == "LogStreamName":
                names = g.sorted_names
                if prefix:
                    lo = bisect.bisect_left(names, prefix)
                    hi = lo
                    while hi < len(names) and names[hi].startswith(prefix):
                        hi += 1
                    names = names[lo:hi]
                else:
                    names = list(names)
                if desc:
                    names = names[::-1]
            else:
                names = sorted(g.streams, key=lambda n: (
                    g.streams[n].ts[-1] if g.streams[n].ts else 0, n), reverse=desc)
            start = 0
            if p.get("nextToken"):
                t = _tok_decode(p["nextToken"], "nextToken")
                last = t.get("after")
                # resume after the last stream name returned (stable under inserts)
                if order_by == "LogStreamName":
                    if desc:
                        start = next((i for i, n in enumerate(names) if n < last), len(names))
                    else:
                        start = bisect.bisect_right(names, last)
                else:
                    start = int(t.get("o", 0))
            page = names[start:start + limit]
            out = {"logStreams": [g.streams[n].describe(g.name) for n in page]}
            if start + limit < len(names):
                out["nextToken"] = _tok_encode({"after": page[-1], "o": start + limit})
            return out

    def get_log_events(self, p):
        limit = check_limit(p, 10000, 10000)
        start_time, end_time = p.get("startTime"), p.get("endTime")
        head = bool(p.get("startFromHead", False))
        tok = p.get("nextToken")
        with self.lock:
            g = self._group(p)
            s = g.streams.get(p.get("logStreamName"))
            if s is None:
                raise ApiError("ResourceNotFoundException",
                               "The specified log stream does not exist.")
            n = len(s.ts)
            lo = bisect.bisect_left(s.ts, int(start_time)) if start_time is not None else 0
            hi = bisect.bisect_left(s.ts, int(end_time)) if end_time is not None else n
            direction = None
            if tok:
                m = re.fullmatch(r"([fb])/(\d{56})(?:/s)?", tok)
                if not m:
                    raise ApiError("InvalidParameterException",
                                   "The specified nextToken is invalid.")
                direction, pos = m.group(1), int(m.group(2))
            if direction is None:
                direction = "f" if head else "b"
                pos = lo if head else hi
            budget = 1048576
            if direction == "f":
                a = max(pos, lo)
                b = a
                while b < hi and b - a < limit:
                    budget -= len(s.msg[b]) + 26
                    if budget < 0 and b > a:
                        break
                    b += 1
                first, last = a, b
                fwd = f"f/{b:056d}/s" if b != pos or not tok else tok
                if tok and b == pos:
                    fwd = tok  # caught up: the same token comes back
                bwd = f"b/{a:056d}/s"
            else:
                b = min(pos, hi)
                a = b
                while a > lo and b - a < limit:
                    budget -= len(s.msg[a - 1]) + 26
                    if budget < 0 and a < b:
                        break
                    a -= 1
                first, last = a, b
                fwd = f"f/{b:056d}/s"
                bwd = f"b/{a:056d}/s" if not (tok and a == pos) else tok
            events = [{"timestamp": s.ts[i], "message": s.msg[i], "ingestionTime": s.ing[i]}
                      for i in range(first, last)]
            return {"events": events, "nextForwardToken": fwd, "nextBackwardToken": bwd}

    def filter_log_events(self, p):
        limit = check_limit(p, 10000, 10000)
        names_req = p.get("logStreamNames")
        prefix = p.get("logStreamNamePrefix")
        if names_req and prefix:
            raise ApiError("InvalidParameterException",
                           "You cannot specify both LogStreamNames and LogStreamNamePrefix.")
        match = compile_filter_pattern(p.get("filterPattern"))
        start_time, end_time = p.get("startTime"), p.get("endTime")
        with self.lock:
            g = self._group(p)
            if names_req:
                streams = [g.streams[n] for n in names_req if n in g.streams]
            elif prefix:
                streams = [g.streams[n] for n in g.sorted_names if n.startswith(prefix)]
            else:
                streams = [g.streams[n] for n in g.sorted_names]
            after = None
            if p.get("nextToken"):
                t = _tok_decode(p["nextToken"], "nextToken")
                after = (t["t"], t["s"], t["i"])

            def gen(s):
                lo = bisect.bisect_left(s.ts, int(start_time)) if start_time is not None else 0
                hi = bisect.bisect_left(s.ts, int(end_time)) if end_time is not None else len(s.ts)
                if after is not None:
                    lo = max(lo, bisect.bisect_left(s.ts, after[0]))
                for i in range(lo, hi):
                    yield (s.ts[i], s.name, i, s)

            out, nxt = [], None
            for ts, sname, i, s in heapq.merge(*(gen(s) for s in streams)):
                if after is not None and (ts, sname, i) <= after:
                    continue
                if match is not None and not match(s.msg[i]):
                    continue
                if len(out) == limit:
                    last = out[-1]
                    nxt = _tok_encode({"t": last["timestamp"], "s": last["logStreamName"],
                                       "i": last["_i"]})
                    break
                out.append({"logStreamName": sname, "timestamp": ts, "message": s.msg[i],
                            "ingestionTime": s.ing[i], "eventId": s.event_id(i), "_i": i})
            for e in out:
                del e["_i"]
            res = {"events": out, "searchedLogStreams": []}
            if nxt:
                res["nextToken"] = nxt
            return res


def hash_str(s):
    import hashlib
    return hashlib.sha1(s.encode()).hexdigest()[:12]


def check_limit(p, default, most):
    """The request's limit, or AWS's constraint error for one outside 1..most."""
    limit = p.get("limit", default)
    if not isinstance(limit, int) or isinstance(limit, bool):
        raise ApiError("SerializationException", "NUMBER_VALUE can not be converted to an Integer")
    if limit < 1:
        bound = "greater than or equal to 1"
    elif limit > most:
        bound = "less than or equal to %d" % most
    else:
        return limit
    raise ApiError("ValidationException", validation_message([
        f"Value '{limit}' at 'limit' failed to satisfy constraint: Member must have value {bound}"]))


def validation_message(errs):
    n = len(errs)
    return f"{n} validation error{'s' if n != 1 else ''} detected: " + "; ".join(errs)


# DescribeTrainingJobResponse's members that Search's TrainingJob lacks (botocore's model)
DESCRIBE_ONLY = frozenset((
    "BillableTokenCount", "InfraCheckConfig", "MlflowConfig", "MlflowDetails",
    "ProfilerRuleConfigurations", "ProfilerRuleEvaluationStatuses", "ProfilingStatus",
    "ProgressInfo", "RemoteDebugConfig", "ServerlessJobConfig"))


# ---------------------------------------------------------------------------------------------
# Search expressions (SageMaker Search over TrainingJob)
def search_value(j, name):
    d = j.d
    if name.startswith("HyperParameters."):
        return d.get("HyperParameters", {}).get(name.split(".", 1)[1])
    if name.startswith("Metrics."):
        m = name.split(".", 1)[1]
        for x in d.get("FinalMetricDataList", []):
            if x["MetricName"] == m:
                return x["Value"]
        return None
    if name.startswith("Tags."):
        k = name.split(".", 1)[1]
        for t in j.tags:
            if t.get("Key") == k:
                return t.get("Value")
        return None
    if name.startswith("Environment."):
        return d.get("Environment", {}).get(name.split(".", 1)[1])
    cur = d
    for part in name.split("."):
        if isinstance(cur, dict) and part in cur:
            cur = cur[part]
        else:
            return None
    return cur


def _cmp_cast(v, ref):
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        try:
            return v, float(ref)
        except ValueError:
            return str(v), ref
    return str(v), ref


def eval_filter(f, j):
    op = f.get("Operator", "Equals")
    v = search_value(j, f["Name"])
    ref = f.get("Value")
    if op == "Exists":
        return v is not None
    if op == "NotExists":
        return v is None
    if v is None:
        return False
    if op == "In":
        return str(v) in [x.strip() for x in str(ref).split(",")]
    if op == "Contains":
        return str(ref) in str(v)
    a, b = _cmp_cast(v, ref)
    try:
        return {"Equals": a == b, "NotEquals": a != b, "GreaterThan": a > b,
                "GreaterThanOrEqualTo": a >= b, "LessThan": a < b,
                "LessThanOrEqualTo": a <= b}[op]
    except (KeyError, TypeError):
        raise ApiError("ValidationException", f"Unsupported search operator {op}")


def eval_search(expr, j):
    parts = []
    for f in expr.get("Filters", []) or []:
        parts.append(eval_filter(f, j))
    for nf in expr.get("NestedFilters", []) or []:
        parts.append(all(eval_filter(f, j) for f in nf.get("Filters", [])))
    for sub in expr.get("SubExpressions", []) or []:
        parts.append(eval_search(sub, j))
    if not parts:
        return True
    return any(parts) if expr.get("Operator") == "Or" else all(parts)
