"""Validates a request against botocore's service model the way AWS's front end does.

Produces AWS's message shape: "N validation error(s) detected: Value 'x' at 'a.b.1.member.c'
failed to satisfy constraint: Member must ...; Value ...". Paths use lowerCamelCase member names and
1-based list indexes, as AWS writes them. Pure functions; no I/O beyond loading the model once.
"""
import functools
import re

import botocore.session


@functools.lru_cache(maxsize=None)
def service_model(service):
    return botocore.session.get_session().get_service_model(service)


def _lc(name):
    return name[:1].lower() + name[1:]


def _show(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (dict, list)):
        return "[" + ", ".join(str(x) for x in v) + "]" if isinstance(v, list) else str(v)
    return str(v)


def _check(shape, value, path, errs):
    t = shape.type_name
    md = shape.metadata
    if value is None:
        return
    if t == "structure":
        if not isinstance(value, dict):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a structure")
            return
        for req in shape.required_members:
            if value.get(req) is None:
                p = f"{path}.{_lc(req)}" if path else _lc(req)
                errs.append(f"Value null at '{p}' failed to satisfy constraint: "
                            "Member must not be null")
        for k, v in value.items():
            m = shape.members.get(k)
            if m is None:
                continue  # AWS ignores unknown members in JSON protocols
            _check(m, v, f"{path}.{_lc(k)}" if path else _lc(k), errs)
        return
    if t == "list":
        if not isinstance(value, list):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a list")
            return
        _len_checks(md, len(value), value, path, errs)
        for i, v in enumerate(value, 1):
            _check(shape.member, v, f"{path}.{i}.member", errs)
        return
    if t == "map":
        if not isinstance(value, dict):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a map")
            return
        _len_checks(md, len(value), value, path, errs)
        for k, v in value.items():
            _check(shape.key, k, path, errs)
            _check(shape.value, v, f"{path}.{k}", errs)
        return
    if t == "string":
        if not isinstance(value, str):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a string")
            return
        if shape.enum and value not in shape.enum:
            errs.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                        f"satisfy enum value set: [{', '.join(shape.enum)}]")
            return
        _len_checks(md, len(value), value, path, errs)
        pat = md.get("pattern")
        if pat:
            try:
                ok = re.fullmatch(pat, value, re.S) is not None
            except re.error:
                ok = True
            if not ok:
                shown = pat if pat.startswith("^") else "^" + pat  # AWS prints it anchored
                errs.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member "
                            f"must satisfy regular expression pattern: {shown}")
        return
    if t in ("integer", "long"):
        if isinstance(value, bool) or not isinstance(value, int):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a number")
            return
        if "min" in md and value < md["min"]:
            errs.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                        f"have value greater than or equal to {md['min']}")
        if "max" in md and value > md["max"]:
            errs.append(f"Value '{value}' at '{path}' failed to satisfy constraint: Member must "
                        f"have value less than or equal to {md['max']}")
        return
    if t in ("float", "double"):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a number")
        return
    if t == "boolean":
        if not isinstance(value, bool):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a boolean")
        return
    if t == "timestamp":
        if isinstance(value, bool) or not isinstance(value, (int, float, str)):
            errs.append(f"Value '{_show(value)}' at '{path}' failed to satisfy constraint: "
                        "Member must be a timestamp")


def _len_checks(md, n, value, path, errs):
    shown = _show(value)
    if "min" in md and n < md["min"]:
        errs.append(f"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have "
                    f"length greater than or equal to {md['min']}")
    if "max" in md and n > md["max"]:
        errs.append(f"Value '{shown}' at '{path}' failed to satisfy constraint: Member must have "
                    f"length less than or equal to {md['max']}")


def validate(service, operation, params):
    """Returns the list of AWS-style error phrases (empty when the request is valid)."""
    op = service_model(service).operation_model(operation)
    errs = []
    if op.input_shape is not None:
        _check(op.input_shape, params, "", errs)
    return errs


def message(errs):
    n = len(errs)
    shown = errs[:10]  # AWS lists at most ten
    return f"{n} validation error{'s' if n != 1 else ''} detected: " + "; ".join(shown)


# ---- CreateHyperParameterTuningJob: the service's own rules beyond the model ----------------
def _num(s):
    try:
        v = float(s)
    except (TypeError, ValueError):
        return None
    return v if v == v else None


def _range_errors(kind, r):
    name = r.get("Name")
    lo_s, hi_s = r.get("MinValue"), r.get("MaxValue")
    lo, hi = _num(lo_s), _num(hi_s)
    scaling = r.get("ScalingType", "Auto")
    if lo is None or hi is None:
        return [f"The {kind.lower()} hyperparameter range for '{name}' has a MinValue or "
                "MaxValue that is not a number."]
    if kind == "Integer" and not (float(lo).is_integer() and float(hi).is_integer()
                                  and "." not in lo_s + hi_s and "e" not in (lo_s + hi_s).lower()):
        return [f"The integer hyperparameter range for '{name}' must have integer MinValue and "
                "MaxValue."]
    if lo >= hi:
        return [f"The MinValue ({lo_s}) of hyperparameter '{name}' must be less than its "
                f"MaxValue ({hi_s})."]
    if scaling == "Logarithmic" and lo <= 0:
        return [f"Logarithmic scaling of hyperparameter '{name}' requires a MinValue greater "
                "than 0."]
    if scaling == "ReverseLogarithmic" and (kind == "Integer" or lo < 0 or hi >= 1):
        return [f"ReverseLogarithmic scaling of hyperparameter '{name}' requires a continuous "
                "range within 0 <= x < 1."]
    return []


def tuning_job_errors(p):
    """AWS's semantic checks of a CreateHyperParameterTuningJob request that passed the model:
    ranges, limits, strategy rules, the objective among the metric definitions. Returns the
    messages (empty when valid)."""
    errs = []
    cfg = p.get("HyperParameterTuningJobConfig") or {}
    limits = cfg.get("ResourceLimits") or {}
    strategy = cfg.get("Strategy")
    max_jobs = limits.get("MaxNumberOfTrainingJobs")
    if max_jobs is None and strategy != "Grid":
        errs.append("MaxNumberOfTrainingJobs is required for the " + str(strategy) + " strategy.")
    if max_jobs is not None and limits.get("MaxParallelTrainingJobs", 1) > max_jobs:
        errs.append("MaxParallelTrainingJobs must be less than or equal to "
                    "MaxNumberOfTrainingJobs.")
    ranges = cfg.get("ParameterRanges") or {}
    names, n = set(), 0
    for kind in ("Continuous", "Integer", "Categorical"):
        for r in ranges.get(kind + "ParameterRanges") or []:
            n += 1
            if r.get("Name") in names:
                errs.append(f"Hyperparameter '{r.get('Name')}' has more than one range.")
            names.add(r.get("Name"))
            if kind != "Categorical":
                errs += _range_errors(kind, r)
    if n == 0:
        errs.append("At least one hyperparameter range is required.")
    if n > 30:
        errs.append("At most 30 hyperparameters can be tuned.")
    if strategy == "Grid" and (ranges.get("ContinuousParameterRanges")
                               or ranges.get("IntegerParameterRanges")):
        errs.append("The Grid search strategy supports categorical parameter ranges only.")
    if strategy == "Hyperband" and cfg.get("TrainingJobEarlyStoppingType") == "Auto":
        errs.append("TrainingJobEarlyStoppingType must be Off for the Hyperband strategy.")
    definition = p.get("TrainingJobDefinition") or {}
    static = definition.get("StaticHyperParameters") or {}
    for name in sorted(names & set(static)):
        errs.append(f"Hyperparameter '{name}' cannot be both static and tunable.")
    objective = cfg.get("HyperParameterTuningJobObjective")
    algo = definition.get("AlgorithmSpecification") or {}
    if objective is None:
        errs.append("HyperParameterTuningJobObjective is required.")
    elif algo.get("TrainingImage") and objective.get("MetricName") not in [
            d.get("Name") for d in algo.get("MetricDefinitions") or []]:
        errs.append(f"The objective metric '{objective.get('MetricName')}' is not defined in "
                    "the metric definitions of the algorithm specification.")
    return errs
