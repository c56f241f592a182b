#!/usr/bin/python3
"""Living-data benchmark: an upsert of 1 % of a store's rows and a replace of one
organization's rows, against a full re-import of the changed bundle into a fresh
store and the same change made by the sqlite3 shell; an analysis as of the old
version against the same analysis now; bytes of history per changed row.

Usage: bench/living/run [--sites N] [--runs R] [--work DIR]
"""
import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENKEI = os.path.join(ROOT, "build", "release", "src", "cli", "renkei")
TABLES = ["organizations", "sites", "products", "bom", "production", "supply", "demand",
          "footprints", "materials"]
# Each table's natural key (README.md, "The store's tables").
KEYS = {
    "organizations": ["id"], "sites": ["id"], "products": ["id"],
    "bom": ["product", "component"], "production": ["site", "product"],
    "supply": ["supplier_site", "customer_site", "product"], "demand": ["site", "product"],
}
# The tables an upsert changes, and the number column it changes in each.
CHANGED = {"sites": "capacity_per_day", "production": "capacity_per_day",
           "supply": "lead_time_days", "demand": "demand_per_day"}


def timed(cmd, **kw):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - start


def rm(*paths):
    for p in paths:
        for suffix in ("", "-wal", "-shm", "-journal", ".import"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)


def read_table(bundle, table):
    path = os.path.join(bundle, table + ".csv")
    if not os.path.exists(path):
        return None, []
    with open(path, newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    return rows[0], rows[1:]


def write_table(bundle, table, head, rows):
    os.makedirs(bundle, exist_ok=True)
    with open(os.path.join(bundle, table + ".csv"), "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/renkei-bench-living")
    args = ap.parse_args()
    os.makedirs(args.work, exist_ok=True)
    bundle = os.path.join(args.work, f"bundle-{args.sites}")
    if not os.path.exists(os.path.join(bundle, "supply.csv")):
        print(f"generating {args.sites} sites ...", flush=True)
        subprocess.run([RENKEI, "generate", bundle, "--sites", str(args.sites), "--seed", "5"],
                       check=True, stdout=subprocess.DEVNULL)
    rng = random.Random(7)

    # The change: 1 % of the rows of sites, production, supply and demand get a new
    # number; the upsert bundle holds those rows whole, the changed bundle everything.
    upsert = os.path.join(args.work, "upsert")
    changed_full = os.path.join(args.work, "changed-full")
    shutil.rmtree(upsert, ignore_errors=True)
    shutil.rmtree(changed_full, ignore_errors=True)
    changed_rows = 0
    total_rows = 0
    for table in TABLES:
        head, rows = read_table(bundle, table)
        if head is None:
            continue
        total_rows += len(rows)
        if table in CHANGED:
            col = head.index(CHANGED[table])
            picked = rng.sample(range(len(rows)), max(1, len(rows) // 100))
            for i in picked:
                rows[i][col] = str(rng.randint(1, 1000))
            write_table(upsert, table, head, [rows[i] for i in sorted(picked)])
            changed_rows += len(picked)
        write_table(changed_full, table, head, rows)

    # One organization's whole truth, less a twentieth of its supply links.
    _, orgs = read_table(bundle, "organizations")
    sites_head, sites = read_table(bundle, "sites")
    by_org = {}
    for s in sites:
        by_org.setdefault(s[1], []).append(s)
    org = max(by_org, key=lambda o: len(by_org[o]))
    org_sites = {s[0] for s in by_org[org]}
    replace = os.path.join(args.work, "replace")
    shutil.rmtree(replace, ignore_errors=True)
    replaced_rows = 0
    owned = {"sites": lambda r, h: r[h.index("organization")] == org,
             "production": lambda r, h: r[h.index("site")] in org_sites,
             "demand": lambda r, h: r[h.index("site")] in org_sites,
             "supply": lambda r, h: r[h.index("customer_site")] in org_sites}
    for table, mine in owned.items():
        head, rows = read_table(bundle, table)
        kept = [r for r in rows if mine(r, head)]
        replaced_rows += len(kept)
        if table == "supply":
            kept = [r for i, r in enumerate(kept) if i % 20 != 0]
        write_table(replace, table, head, kept)
    write_table(replace, "organizations", ["id", "name", "country"],
                [[o[0], o[1], o[2]] for o in orgs if o[0] == org])

    print(f"load average before the runs: {os.getloadavg()[0]:.1f}")
    print(f"store: {args.sites:,} sites, {total_rows:,} rows; upsert: {changed_rows:,} changed "
          f"rows; replace: {org}'s {replaced_rows:,} rows; {args.runs} runs each (median)\n")

    base = os.path.join(args.work, "base.db")
    rm(base)
    subprocess.run([RENKEI, "init", base], check=True, stdout=subprocess.DEVNULL)
    subprocess.run([RENKEI, "import", base, bundle], check=True, stdout=subprocess.DEVNULL)
    shell_base = os.path.join(args.work, "shell-base.db")
    rm(shell_base)
    script = ".mode csv\n"
    for table in TABLES:
        path = os.path.join(bundle, table + ".csv")
        if os.path.exists(path):
            script += f".import {path} {table}\n"
    for table, key in KEYS.items():
        script += f"CREATE UNIQUE INDEX {table}_key ON {table}({', '.join(key)});\n"
    subprocess.run(["sqlite3", shell_base], input=script.encode(), check=True)

    results = {}

    def run(name, fn):
        times = [fn() for _ in range(args.runs)]
        results[name] = statistics.median(times)
        print(f"  {name:<58} {results[name]:8.3f} s", flush=True)

    work_db = os.path.join(args.work, "work.db")

    def fresh_copy(src):
        rm(work_db)
        shutil.copyfile(src, work_db)

    def full_reimport():
        rm(work_db)
        subprocess.run([RENKEI, "init", work_db], check=True, stdout=subprocess.DEVNULL)
        return timed([RENKEI, "import", work_db, changed_full])
    run("full re-import of the changed bundle (fresh store)", full_reimport)

    def renkei_upsert():
        fresh_copy(base)
        return timed([RENKEI, "import", work_db, upsert, "--mode", "upsert"])
    run("renkei import --mode upsert (1 % of rows)", renkei_upsert)
    before = os.path.getsize(base)
    history_bytes = os.path.getsize(work_db) - before

    def shell_upsert():
        fresh_copy(shell_base)
        s = ".mode csv\n"
        for table, column in CHANGED.items():
            key = KEYS[table]
            s += f".import {os.path.join(upsert, table + '.csv')} new_{table}\n"
            s += (f"UPDATE {table} SET {column} = n.{column} FROM new_{table} n WHERE "
                  + " AND ".join(f"{table}.{k} = n.{k}" for k in key) + ";\n")
        return timed(["sqlite3", work_db], input=s.encode())
    run("sqlite3 shell: .import + UPDATE ... FROM (same rows)", shell_upsert)

    def renkei_replace():
        fresh_copy(base)
        return timed([RENKEI, "import", work_db, replace, "--mode", "replace",
                      "--organization", org, "--cascade"])
    run(f"renkei import --mode replace --organization {org}", renkei_replace)

    def shell_replace():
        fresh_copy(shell_base)
        s = ".mode csv\n"
        for table in owned:
            s += f".import {os.path.join(replace, table + '.csv')} new_{table}\n"
        s += ("DELETE FROM supply WHERE customer_site IN (SELECT id FROM sites WHERE "
              f"organization = '{org}') AND NOT EXISTS (SELECT 1 FROM new_supply n WHERE "
              "n.supplier_site = supply.supplier_site AND n.customer_site = supply.customer_site "
              "AND n.product = supply.product);\n")
        return timed(["sqlite3", work_db], input=s.encode())
    run("sqlite3 shell: .import + DELETE ... NOT EXISTS (same org)", shell_replace)

    # An analysis as of the first version against the same analysis now.
    fresh_copy(base)
    subprocess.run([RENKEI, "import", work_db, upsert, "--mode", "upsert"], check=True,
                   stdout=subprocess.DEVNULL)
    run("renkei risk spof (current version)",
        lambda: timed([RENKEI, "risk", "spof", work_db]))
    run("renkei risk spof --as-of 1 (the version before the upsert)",
        lambda: timed([RENKEI, "risk", "spof", work_db, "--as-of", "1"]))
    # What changed from one version to the other: the rows, and the analyses'
    # changes (single points of failure, concentration, footprints with the rows
    # each is computed from), against the two versions' single-point analyses.
    versions = subprocess.run([RENKEI, "history", work_db, "--json"], check=True,
                              capture_output=True).stdout
    last = json.loads(versions)[-1]["version"]
    run(f"renkei diff 1 {last} --json (rows and analyses)",
        lambda: timed([RENKEI, "diff", work_db, "1", str(last), "--json"]))

    print()
    up = results["renkei import --mode upsert (1 % of rows)"]
    full = results["full re-import of the changed bundle (fresh store)"]
    shell = results["sqlite3 shell: .import + UPDATE ... FROM (same rows)"]
    rep = results[f"renkei import --mode replace --organization {org}"]
    spof_now = results["renkei risk spof (current version)"]
    spof_old = results["renkei risk spof --as-of 1 (the version before the upsert)"]
    print(f"full re-import time / upsert time:    {full / up:6.2f}   (target >= 20)")
    print(f"upsert time / sqlite3 shell time:     {up / shell:6.2f}   (target <= 2)")
    print(f"full re-import time / replace time:   {full / rep:6.2f}")
    print(f"analysis as of v1 / analysis now:     {spof_old / spof_now:6.2f}   (target <= 1.5)")
    diff = results[f"renkei diff 1 {last} --json (rows and analyses)"]
    print(f"diff / (spof now + spof as of v1):    {diff / (spof_now + spof_old):6.2f}")
    print(f"history bytes per changed row: {history_bytes / changed_rows:8.1f}"
          f"   ({history_bytes:,} bytes for {changed_rows:,} rows)")


if __name__ == "__main__":
    main()
