#!/usr/bin/env python3
"""peer_jobs.py: the boto3 peers of `make bench`'s jobs section (bench/section_jobs.sh).

  search  the first sync a script would do: SageMaker Search (Resource TrainingJob, 100 full
          job documents a page: status, tags, hyperparameters, final metrics) into SQLite, one
          row per job (name, status, creation time, the document as JSON).
  list    the listing a script repeats (it keeps no cache): every ListTrainingJobs page,
          newest first, as `aws sagemaker list-training-jobs` pages.
Prints one line of key=value figures (jobs, requests).
Usage: peer_jobs.py search|list [--db PATH]
"""
import argparse
import json
import sqlite3

import boto3


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("mode", choices=["search", "list"])
    ap.add_argument("--db", default="peer-jobs.db")
    a = ap.parse_args()
    sm = boto3.client("sagemaker")
    n = requests = 0
    if a.mode == "list":
        for page in sm.get_paginator("list_training_jobs").paginate(
                SortBy="CreationTime", SortOrder="Descending", PaginationConfig={"PageSize": 100}):
            requests += 1
            n += len(page["TrainingJobSummaries"])
    else:
        db = sqlite3.connect(a.db)
        db.execute("create table if not exists jobs (name text primary key, status text,"
                   " created real, doc text)")
        for page in sm.get_paginator("search").paginate(
                Resource="TrainingJob", PaginationConfig={"PageSize": 100}):
            requests += 1
            rows = [(j["TrainingJobName"], j["TrainingJobStatus"], j["CreationTime"].timestamp(),
                     json.dumps(j, default=str))
                    for j in (r["TrainingJob"] for r in page["Results"])]
            db.executemany("insert or replace into jobs values (?, ?, ?, ?)", rows)
            db.commit()
            n += len(rows)
        db.close()
    print("jobs=%d requests=%d" % (n, requests))


if __name__ == "__main__":
    main()
