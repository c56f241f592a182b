#!/usr/bin/python3
"""Footprint benchmark: the footprint of every product, Renkei against scipy's spsolve on
the (I - A) system and a PostgreSQL recursive CTE over the BOM, in one run.

Usage: bench/footprint/run [--nodes N ...] [--runs R] [--pg-max-nodes N] [--work DIR]

For each size, a network is generated with `renkei generate` (about 1.49 production nodes
per site, so --nodes N asks for N / 1.49 sites) and imported into a store. Then, median of
the runs, load and compute timed apart:

- renkei: bench/footprint/footprint_bench, loading the store (and, as a second row, reading
  the CSV bundle), footprint::RollUp over every node, then the capacity-weighted mean per
  product;
- scipy: the bundle CSVs read with the csv module into A (A[supplier node, customer node] =
  BOM quantity x normalised share), then one solve of (I - A)^T f = e (e = own emissions per
  unit; the transpose gives every node's footprint in one solve, f^T = e^T (I - A)^-1):
  scipy.sparse.linalg.spsolve with its defaults, and splu with diag_pivot_thresh=0 (each run
  in its own process, given up after --scipy-timeout);
- PostgreSQL 15 on a throwaway cluster: COPY of the CSVs, the edge table built in SQL, then a
  recursive CTE that walks every BOM/supply path upstream from every node, multiplying
  quantity x share, and sums own emissions per root node.

The three must agree to a relative 1e-6 (every product for scipy, a sample for PostgreSQL).
"""
import argparse
import csv
import json
import os
import random
import statistics
import subprocess
import sys
import time
from collections import defaultdict

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pgtmp import ThrowawayPostgres  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENKEI = FOOTPRINT_BENCH = None  # set from --build
NODES_PER_SITE = 1.49  # production rows per site in generated bundles (measured: 1.489)
TOLERANCE = 1e-6


def read_csv(path):
    with open(path, newline="", encoding="utf-8") as f:
        reader = csv.reader(f)
        header = next(reader)
        return header, list(reader)


# ---------------------------------------------------------------- renkei


def run_renkei(source_flag, source, out=None):
    cmd = [FOOTPRINT_BENCH, source_flag, source]
    if out:
        cmd += ["--out", out, "--check", "3"]
    res = subprocess.run(cmd, check=True, capture_output=True, text=True)
    return json.loads(res.stdout)


def read_products(path):
    _, rows = read_csv(path)
    return {r[0]: float(r[1]) for r in rows}


# ---------------------------------------------------------------- scipy


def scipy_load(bundle):
    """The (I - A)^T system, the own-emissions vector and what the product means need."""
    for table in ("footprints",):
        p = os.path.join(bundle, table + ".csv")
        if os.path.exists(p) and sum(1 for _ in open(p)) > 1:
            sys.exit(f"{p}: received footprints are not modelled by this benchmark")
    h, production = read_csv(os.path.join(bundle, "production.csv"))
    c_site, c_product = h.index("site"), h.index("product")
    c_cap, c_emis = h.index("capacity_per_day"), h.index("emissions_kgco2e_per_unit")
    node_of = {}
    emissions = np.zeros(len(production))
    for j, r in enumerate(production):
        node_of[(r[c_site], r[c_product])] = j
        emissions[j] = float(r[c_emis]) if r[c_emis] else 0.0
    h, bom_rows = read_csv(os.path.join(bundle, "bom.csv"))
    bom = defaultdict(list)
    for r in bom_rows:
        bom[r[h.index("product")]].append((r[h.index("component")], float(r[h.index("quantity")])))
    h, supply = read_csv(os.path.join(bundle, "supply.csv"))
    c_sup, c_cus, c_prod, c_share = (h.index("supplier_site"), h.index("customer_site"),
                                     h.index("product"), h.index("share"))
    links = defaultdict(list)
    for r in supply:
        links[(r[c_cus], r[c_prod])].append((r[c_sup], float(r[c_share]) if r[c_share] else None))

    rows, cols, vals = [], [], []
    for (site, product), j in node_of.items():
        for component, quantity in bom.get(product, ()):
            sources = links.get((site, component))
            if sources:
                given = sum(s for _, s in sources if s is not None)
                missing = sum(1 for _, s in sources if s is None)
                rest = max(0.0, 1 - given) / missing if missing else 0.0
                weights = [rest if s is None else s for _, s in sources]
                total = sum(weights)
                if total <= 0:
                    weights, total = [1.0] * len(sources), float(len(sources))
                for (supplier_site, _), w in zip(sources, weights):
                    i = node_of.get((supplier_site, component))
                    if i is not None:  # else: no data, counts 0 (as in Renkei)
                        rows.append(i)
                        cols.append(j)
                        vals.append(quantity * w / total)
            else:
                i = node_of.get((site, component))  # the site's own production
                if i is not None:
                    rows.append(i)
                    cols.append(j)
                    vals.append(quantity)
    n = len(production)
    a = sp.csc_matrix((vals, (rows, cols)), shape=(n, n))  # duplicates are summed
    system = (sp.identity(n, format="csc") - a).T.tocsc()
    makers = defaultdict(list)
    for j, r in enumerate(production):
        makers[r[c_product]].append((j, float(r[c_cap]) if r[c_cap] else 0.0))
    return system, emissions, makers


def product_means(makers, node_pcf):
    out = {}
    for product, nodes in makers.items():
        if all(c > 0 for _, c in nodes):
            out[product] = sum(c * node_pcf[j] for j, c in nodes) / sum(c for _, c in nodes)
        else:
            out[product] = sum(node_pcf[j] for j, _ in nodes) / len(nodes)
    return out


SCIPY_SOLVERS = {
    # As LCA tools call it: SuperLU with its defaults (COLAMD, partial pivoting).
    "scipy spsolve": lambda m, b: spla.spsolve(m, b),
    # The same LU, told that the diagonal (all ones) needs no pivoting: far less fill-in.
    "scipy splu, no pivoting": lambda m, b: spla.splu(m, diag_pivot_thresh=0.0).solve(b),
}


def scipy_worker(solver, bundle, out):
    """One scipy run in this process: prints {"load_s", "compute_s"}, writes the products."""
    start = time.perf_counter()
    system, emissions, makers = scipy_load(bundle)
    load = time.perf_counter() - start
    start = time.perf_counter()
    node_pcf = SCIPY_SOLVERS[solver](system, emissions)
    products = product_means(makers, node_pcf)
    compute = time.perf_counter() - start
    with open(out, "w", encoding="utf-8") as f:
        f.write("product,pcf_kgco2e_per_unit\n")
        for product, pcf in products.items():
            f.write(f"{product},{pcf!r}\n")
    print(json.dumps({"load_s": load, "compute_s": compute}))


def run_scipy(solver, bundle, out, timeout_s):
    """(load s, compute s, {product: pcf}) or None when the run took over timeout_s."""
    try:
        res = subprocess.run([sys.executable, os.path.abspath(__file__), "--scipy-worker", solver,
                              bundle, out], check=True, capture_output=True, text=True,
                             timeout=timeout_s)
    except subprocess.TimeoutExpired:
        return None
    t = json.loads(res.stdout)
    return t["load_s"], t["compute_s"], read_products(out)


def cte_rows(system):
    """Rows the recursive CTE produces: the number of upstream paths from every node."""
    pattern = system.copy()
    pattern.data[:] = -1.0  # one per edge
    pattern.setdiag(1.0)
    return float(spla.splu(pattern, diag_pivot_thresh=0.0).solve(np.ones(system.shape[0])).sum())


# ---------------------------------------------------------------- PostgreSQL

PG_LOAD = """
create unlogged table production_csv (site text, product text, capacity_per_day text,
  inventory_units text, emissions_kgco2e_per_unit text, dqr_ter text, dqr_ger text,
  dqr_tir text, recovery_days text);
create unlogged table bom_csv (product text, component text, quantity float8);
create unlogged table supply_csv (supplier_site text, customer_site text, product text,
  share float8, capacity_per_day text, lead_time_days text);
"""

PG_BUILD = """
create unlogged table node as
  select row_number() over () as id, site, product,
         coalesce(nullif(capacity_per_day, '')::float8, 0) as capacity,
         coalesce(nullif(emissions_kgco2e_per_unit, '')::float8, 0) as emissions
  from production_csv;
create unique index on node (site, product);
-- Shares: given ones as they are, missing ones split what remains, then normalised.
create unlogged table link as
  with g as (
    select customer_site, product, coalesce(sum(share), 0) as given,
           count(*) filter (where share is null) as missing
    from supply_csv group by customer_site, product),
  w as (
    select s.supplier_site, s.customer_site, s.product,
           coalesce(s.share, case when g.missing > 0
                                  then greatest(0, 1 - g.given) / g.missing else 0 end) as w
    from supply_csv s join g using (customer_site, product))
  select supplier_site, customer_site, product,
         case when sum(w) over p > 0 then w / sum(w) over p
              else 1.0 / count(*) over p end as w
  from w window p as (partition by customer_site, product);
create unlogged table edge as
  select c.id as customer, s.id as supplier, b.quantity * l.w as mult
  from node c join bom_csv b on b.product = c.product
       join link l on l.customer_site = c.site and l.product = b.component
       join node s on s.site = l.supplier_site and s.product = b.component
  union all
  select c.id, s.id, b.quantity
  from node c join bom_csv b on b.product = c.product
       join node s on s.site = c.site and s.product = b.component
  where not exists (select 1 from link l where l.customer_site = c.site
                                          and l.product = b.component);
create index on edge (customer);
analyze node; analyze edge;
"""

PG_QUERY = """
create unlogged table result as
with recursive up (root, node, mult) as (
    select id, id, 1.0::float8 from node
  union all
    select up.root, e.supplier, up.mult * e.mult from up join edge e on e.customer = up.node
),
node_pcf as (
  select up.root, sum(up.mult * n.emissions) as pcf from up join node n on n.id = up.node
  group by up.root)
select n.product,
       case when bool_and(n.capacity > 0) then sum(n.capacity * p.pcf) / sum(n.capacity)
            else avg(p.pcf) end as pcf
from node_pcf p join node n on n.id = p.root group by n.product;
"""


def run_postgres(bundle, timeout_s):
    """(load s, query s or None on timeout, {product: pcf})."""
    with ThrowawayPostgres() as pg:
        start = time.perf_counter()
        pg.psql(PG_LOAD)
        for table in ("production", "bom", "supply"):
            path = os.path.join(bundle, table + ".csv")
            pg.psql(f"\\copy {table}_csv from '{path}' with (format csv, header true)")
        pg.psql(PG_BUILD)
        load = time.perf_counter() - start
        start = time.perf_counter()
        try:
            pg.psql(f"set statement_timeout = '{int(timeout_s)}s';\n{PG_QUERY}")
        except subprocess.CalledProcessError as e:
            if "statement timeout" in (e.stderr or ""):
                return load, None, {}
            raise
        query = time.perf_counter() - start
        out = pg.psql("select product, pcf from result")
        products = {}
        for line in out.splitlines():
            product, pcf = line.split("|")
            products[product] = float(pcf)
        return load, query, products


# ---------------------------------------------------------------- checks and report


def compare(name, reference, other, sample=None):
    keys = sorted(reference)
    if sample is not None and len(keys) > sample:
        keys = random.Random(1).sample(keys, sample)
    worst = 0.0
    for k in keys:
        if k not in other:
            sys.exit(f"{name}: no footprint for {k}")
        r, o = reference[k], other[k]
        rel = abs(r - o) / max(abs(r), 1e-300)
        worst = max(worst, rel)
        if rel > TOLERANCE:
            sys.exit(f"{name}: {k}: renkei {r!r}, {name} {o!r} (relative difference {rel:.2e})")
    print(f"  check: renkei = {name} on {len(keys)} products, largest relative difference "
          f"{worst:.1e}", flush=True)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_size(nodes, args):
    sites = int(round(nodes / NODES_PER_SITE))
    bundle = os.path.join(args.work, f"bundle-{sites}")
    db = os.path.join(args.work, f"store-{sites}.db")
    if not os.path.exists(os.path.join(bundle, "supply.csv")):
        print(f"generating {sites:,} sites ...", flush=True)
        subprocess.run([RENKEI, "generate", bundle, "--sites", str(sites), "--seed", "1"],
                       check=True, stdout=subprocess.DEVNULL)
    if not os.path.exists(db):
        print("importing into a store ...", flush=True)
        subprocess.run([RENKEI, "init", db], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([RENKEI, "import", db, bundle], check=True, stdout=subprocess.DEVNULL)

    results = {}  # name -> (load, compute)
    out = os.path.join(args.work, f"renkei-{sites}.csv")
    info = run_renkei("--store", db, out)
    renkei_products = read_products(out)
    print(f"\n{info['nodes']:,} nodes ({sites:,} sites), {info['supply']:,} supply rows, "
          f"{info['products']:,} products; {args.runs} runs each (median)", flush=True)

    def record(name, samples):
        load, compute = median([s[0] for s in samples]), median([s[1] for s in samples])
        results[name] = (load, compute)
        query = "timeout" if compute is None else f"{compute:8.2f}"
        total = "-" if compute is None else f"{load + compute:8.2f}"
        print(f"  {name:<28} load {load:8.2f} s  compute {query} s  total {total} s", flush=True)

    record("renkei (store)", [(r["load_s"], r["compute_s"]) for r in
                              (run_renkei("--store", db) for _ in range(args.runs))])
    record("renkei (CSV bundle)", [(r["load_s"], r["compute_s"]) for r in
                                   (run_renkei("--bundle", bundle) for _ in range(args.runs))])
    for solver in SCIPY_SOLVERS:
        runs, products = [], None
        for _ in range(args.runs):
            run = run_scipy(solver, bundle, os.path.join(args.work, f"scipy-{sites}.csv"),
                            args.scipy_timeout)
            if run is None:
                break
            runs.append(run[:2])
            products = run[2]
        if len(runs) < args.runs:
            results[solver] = (None, None)
            print(f"  {solver:<28} did not finish in {args.scipy_timeout} s", flush=True)
        else:
            record(solver, runs)
            compare(solver, renkei_products, products)
    if info["nodes"] <= args.pg_max_nodes:
        system, _, _ = scipy_load(bundle)
        paths = cte_rows(system)
        print(f"  recursive CTE rows (upstream paths from every node): {paths:,.0f}", flush=True)
        pg_runs, pg_products = [], {}
        for _ in range(args.pg_runs):
            load, query, pg_products = run_postgres(bundle, args.pg_timeout)
            pg_runs.append((load, query))
            if query is None:
                break
        if any(q is None for _, q in pg_runs):
            results["PostgreSQL recursive CTE"] = (median([r[0] for r in pg_runs]), None)
            print(f"  {'PostgreSQL recursive CTE':<28} load {results['PostgreSQL recursive CTE'][0]:8.2f}"
                  f" s  query timed out after {args.pg_timeout} s", flush=True)
        else:
            record("PostgreSQL recursive CTE", pg_runs)
            compare("PostgreSQL", renkei_products, pg_products, sample=200)
    else:
        print(f"  PostgreSQL recursive CTE skipped: {info['nodes']:,} nodes > --pg-max-nodes",
              flush=True)

    base = results["renkei (store)"]
    print("  ratios, peer time / renkei (store):", flush=True)
    for name, (load, compute) in results.items():
        if name == "renkei (store)":
            continue
        c = "-" if compute is None else f"{compute / base[1]:.1f}x"
        t = "-" if compute is None else f"{(load + compute) / (base[0] + base[1]):.1f}x"
        if load is None:
            c = t = "timeout"
        print(f"    {name:<28} compute {c:>7}   including load {t:>7}", flush=True)


def main():
    if len(sys.argv) == 5 and sys.argv[1] == "--scipy-worker":
        scipy_worker(*sys.argv[2:])
        return
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--nodes", type=int, nargs="+", default=[1_000_000],
                    help="production nodes per network (default: the issue's 1 M)")
    ap.add_argument("--runs", type=int, default=3)
    ap.add_argument("--pg-runs", type=int, default=1)
    ap.add_argument("--pg-max-nodes", type=int, default=10_000_000,
                    help="skip PostgreSQL above this many nodes")
    ap.add_argument("--pg-timeout", type=int, default=1800, help="seconds for the CTE query")
    ap.add_argument("--scipy-timeout", type=int, default=1800, help="seconds for one scipy run")
    ap.add_argument("--work", default="/tmp/renkei-bench-footprint")
    ap.add_argument("--build", default=os.path.join(ROOT, "build", "release"),
                    help="a Release build folder")
    args = ap.parse_args()
    global RENKEI, FOOTPRINT_BENCH
    RENKEI = os.path.join(args.build, "src", "cli", "renkei")
    FOOTPRINT_BENCH = os.path.join(args.build, "bench", "footprint", "footprint_bench")
    for tool in (RENKEI, FOOTPRINT_BENCH):
        if not os.path.exists(tool):
            sys.exit(f"{tool} is missing: run bench/footprint/run (it builds Release)")
    os.makedirs(args.work, exist_ok=True)
    for nodes in args.nodes:
        bench_size(nodes, args)


if __name__ == "__main__":
    main()
