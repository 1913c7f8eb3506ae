"""Counts the findings of a scanner file by check and status with the
Python standard library, as the evidence benchmark's reference: json.load
for JSON formats, the csv module for Prowler CSV.

    python3 count.py ocsf|asff|csv FILE
"""
import collections
import csv
import json
import sys

fmt, path = sys.argv[1], sys.argv[2]
counts = collections.Counter()
if fmt == "csv":
    csv.field_size_limit(1 << 30)
    with open(path, newline="") as f:
        r = csv.reader(f, delimiter=";")
        header = next(r)
        ci, si = header.index("CHECK_ID"), header.index("STATUS")
        for row in r:
            counts[(row[ci], row[si])] += 1
else:
    with open(path) as f:
        data = json.load(f)
    if fmt == "asff":
        for r in data["Findings"]:
            counts[(r.get("GeneratorId"), (r.get("Compliance") or {}).get("Status"))] += 1
    else:
        for r in data:
            counts[(r["metadata"]["event_code"], r["status_code"])] += 1
print(len(counts), sum(counts.values()))
