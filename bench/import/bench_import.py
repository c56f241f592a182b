#!/usr/bin/python3
"""Import benchmark: Renkei's parse+validate and store import against the sqlite3
shell's .import and PostgreSQL COPY of the same CSV files, in one run; then the
store's LoadModel from the imported SQLite file and PostgreSQL database.

Usage: bench/import/run [--sites N] [--runs R] [--work DIR]
"""
import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pgtmp import ThrowawayPostgres  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENKEI = os.path.join(ROOT, "build", "release", "src", "cli", "renkei")
FOOTPRINT_BENCH = os.path.join(ROOT, "build", "release", "bench", "footprint", "footprint_bench")
TABLES = ["organizations", "sites", "products", "bom", "production", "supply", "demand",
          "footprints", "materials"]


CPU = {"last": 0.0}  # CPU seconds (user + system) of the last timed command


def children_cpu():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def timed(cmd, **kw):
    cpu = children_cpu()
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    elapsed = time.perf_counter() - start
    CPU["last"] = children_cpu() - cpu
    return elapsed


def rm(*paths):
    for p in paths:
        for suffix in ("", "-wal", "-shm", "-journal"):
            if os.path.exists(p + suffix):
                os.remove(p + suffix)


def csv_files(bundle):
    return [(t, os.path.join(bundle, t + ".csv")) for t in TABLES
            if os.path.exists(os.path.join(bundle, t + ".csv"))]


def header(path):
    with open(path, encoding="utf-8") as f:
        return f.readline().strip().split(",")


# Each table's natural key (README.md, "The store's tables").
KEYS = {
    "organizations": ["id"], "sites": ["id"], "products": ["id"],
    "bom": ["product", "component"], "production": ["site", "product"],
    "supply": ["customer_site", "product", "supplier_site"], "demand": ["site", "product"],
    "footprints": ["product", "site", "period_start", "period_end"],
    "materials": ["product", "substance"],
}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sites", type=int, default=1_000_000)
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--work", default="/tmp/renkei-bench-import")
    ap.add_argument("--pg-port", type=int, default=None,
                    help="port of the throwaway PostgreSQL (default: a free one)")
    args = ap.parse_args()

    os.makedirs(args.work, exist_ok=True)
    bundle = os.path.join(args.work, f"bundle-{args.sites}")
    if not os.path.exists(os.path.join(bundle, "supply.csv")):
        print(f"generating {args.sites} sites ...", flush=True)
        subprocess.run([RENKEI, "generate", bundle, "--sites", str(args.sites), "--seed", "1"],
                       check=True)
    rows = 0
    for _, path in csv_files(bundle):
        with open(path, "rb") as f:
            rows += sum(1 for _ in f) - 1
    size_mb = sum(os.path.getsize(p) for _, p in csv_files(bundle)) / 1e6
    print(f"load average before the runs: {os.getloadavg()[0]:.1f}")
    print(f"bundle: {rows:,} rows, {size_mb:,.0f} MB of CSV, {args.runs} runs each (median)\n")

    db = os.path.join(args.work, "renkei.db")
    shell_db = os.path.join(args.work, "shell.db")
    results = {}

    def run(name, fn):
        times, cpus = [], []
        for _ in range(args.runs):
            times.append(fn())
            cpus.append(CPU["last"])
        results[name] = statistics.median(times)
        # CPU time (user + system, all threads) is less disturbed by other work on
        # the machine than the wall time; the peers' servers are not counted.
        print(f"  {name:<40} {results[name]:8.2f} s  {rows / results[name] / 1e6:6.2f} M rows/s"
              f"  (cpu {statistics.median(cpus):.2f} s)", flush=True)

    run("renkei validate (parse + validate)", lambda: timed([RENKEI, "validate", bundle]))

    def renkei_import():
        rm(db)
        subprocess.run([RENKEI, "init", db], check=True, stdout=subprocess.DEVNULL)
        return timed([RENKEI, "import", db, bundle])
    run("renkei import (validate + store, WAL)", renkei_import)

    def shell_import():
        rm(shell_db)
        script = "".join(f".import --csv {p} {t}\n" for t, p in csv_files(bundle))
        return timed(["sqlite3", shell_db], input=script.encode())
    run("sqlite3 shell .import (plain tables)", shell_import)

    def shell_import_keyed():
        # The same import, then the unique keys renkei's store holds (README.md,
        # "The store's tables"), made after the rows as renkei's bulk path does.
        rm(shell_db)
        script = "".join(f".import --csv {p} {t}\n" for t, p in csv_files(bundle))
        for t, p in csv_files(bundle):
            columns = [c for c in KEYS[t] if c in header(p)]
            script += f"create unique index {t}_key on {t}({', '.join(columns)});\n"
        return timed(["sqlite3", shell_db], input=script.encode())
    run("sqlite3 shell .import + the same keys", shell_import_keyed)

    with ThrowawayPostgres(args.pg_port) as pg:
        def pg_copy():
            ddl = "".join(
                f"drop table if exists {t}; create unlogged table {t}(" +
                ", ".join(f"{c} text" for c in header(p)) + ");"
                for t, p in csv_files(bundle))
            pg.psql(ddl)
            copies = []
            for t, p in csv_files(bundle):
                copies += ["-c", f"\\copy {t} from '{p}' with (format csv, header true)"]
            return timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                          str(pg.port), "-U", "postgres", "-d", "bench"] + copies)
        run("PostgreSQL COPY (unlogged text tables)", pg_copy)

        def copy_with_keys(ddl):
            # Makes the tables with `ddl`, then times psql's \copy of every CSV file
            # into them followed by the unique keys renkei's store holds.
            pg.psql(ddl)
            commands = []
            for t, p in csv_files(bundle):
                commands += ["-c", f"\\copy {t} from '{p}' with (format csv, header true)"]
            for t, p in csv_files(bundle):
                columns = [c for c in KEYS[t] if c in header(p)]
                commands += ["-c", f"create unique index {t}_key on {t}({', '.join(columns)})"]
            return timed(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1", "-p",
                          str(pg.port), "-U", "postgres", "-d", "bench"] + commands)

        def pg_copy_keyed():
            # The same COPY into logged tables, then the keys renkei's store holds.
            return copy_with_keys("".join(
                f"drop table if exists {t}; create table {t}(" +
                ", ".join(f"{c} text" for c in header(p)) + ");"
                for t, p in csv_files(bundle)))
        run("PostgreSQL COPY + the same keys", pg_copy_keyed)

        def renkei_import_pg():
            pg.psql("drop database if exists renkei", db="postgres")
            pg.psql("create database renkei", db="postgres")
            url = f"postgresql://postgres@127.0.0.1:{pg.port}/renkei"
            subprocess.run([RENKEI, "init", url], check=True, stdout=subprocess.DEVNULL)
            return timed([RENKEI, "import", url, bundle])
        run("renkei import into PostgreSQL", renkei_import_pg)

        def pg_copy_typed():
            # The same COPY + keys into tables with the store's constraints as far as
            # the CSV allows: numbers typed, required columns NOT NULL (references stay
            # text: the CSV holds ids where the store holds entity numbers).
            ddl = ""
            for t, p in csv_files(bundle):
                stored = {}
                for line in pg.psql("select column_name, data_type, is_nullable from "
                                    f"information_schema.columns where table_name = '{t}'",
                                    db="renkei").splitlines():
                    name, kind, nullable = line.split("|")
                    stored["id" if name == "ext_id" else name] = (kind, nullable)
                columns = []
                for c in header(p):
                    kind, nullable = stored.get(c, ("text", "YES"))
                    kind = kind if kind in ("double precision", "boolean") else "text"
                    columns.append(f"{c} {kind}" + (" not null" if nullable == "NO" else ""))
                ddl += f"drop table if exists {t}; create table {t}({', '.join(columns)});"
            return copy_with_keys(ddl)
        run("PostgreSQL COPY + keys, typed columns", pg_copy_typed)

        # Store::Open + LoadModel of what the last runs imported (footprint_bench's
        # load step, which prints its own timing).
        def load_model(where):
            def once():
                out = subprocess.run([FOOTPRINT_BENCH, "--store", where], check=True,
                                     capture_output=True, text=True).stdout
                CPU["last"] = 0.0
                return json.loads(out)["load_s"]
            return once
        url = f"postgresql://postgres@127.0.0.1:{pg.port}/renkei"
        loads = {}
        stores = (("LoadModel from SQLite", db), ("LoadModel from PostgreSQL", url))
        if not os.path.exists(FOOTPRINT_BENCH):
            print(f"  (no {FOOTPRINT_BENCH}: LoadModel not timed)")
            stores = ()
        for name, where in stores:
            times = [load_model(where)() for _ in range(args.runs)]
            loads[name] = statistics.median(times)
            print(f"  {name:<40} {loads[name]:8.2f} s  {rows / loads[name] / 1e6:6.2f} M rows/s",
                  flush=True)

    base = results["renkei import (validate + store, WAL)"]
    print("\nratios (time of the peer / time of renkei import; > 1 means renkei is faster):")
    for name, t in results.items():
        if name != "renkei import (validate + store, WAL)":
            print(f"  {name:<40} {t / base:6.2f}")
    pg_import = results["renkei import into PostgreSQL"]
    print("against renkei import into PostgreSQL (> 1 means renkei is faster):")
    for name in ("PostgreSQL COPY + the same keys", "PostgreSQL COPY + keys, typed columns"):
        print(f"  {name:<40} {results[name] / pg_import:6.2f}")
    if loads:
        print(f"  {'LoadModel: PostgreSQL / SQLite':<40} "
              f"{loads['LoadModel from PostgreSQL'] / loads['LoadModel from SQLite']:6.2f}")
    print(f"\nparse + validate: {rows / results['renkei validate (parse + validate)'] / 1e6:.2f} "
          "M rows/s (target >= 1)")


if __name__ == "__main__":
    main()
