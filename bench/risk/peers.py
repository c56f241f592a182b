#!/usr/bin/python3
"""Peer timings for bench/risk/run.sh.

closure OUT_DIR [--pg-port P] [--no-networkx]
    Upstream closure from the vertices in OUT_DIR/starts.txt over the edges in
    OUT_DIR/edges.tsv (written by risk_benchmark) with NetworkX, python-igraph and
    a PostgreSQL recursive CTE. Prints JSON: median seconds per closure and the
    closure sizes (which must equal risk_benchmark's).

tts BUNDLE OUT_DIR [--sample N]
    The TTS and TTR linear programs of src/risk/time_to_survive.h, built from the
    bundle's CSV files and solved with scipy.optimize.linprog(method="highs") for
    the site scenarios listed in OUT_DIR/tts.tsv (written by risk_benchmark), a
    new model per scenario; with --sample N only N of them, spread evenly. Prints
    JSON: seconds per scenario (build + both solves) and how many TTS values and
    impacts agree with renkei's within 1e-6 relative.
"""
import csv
import json
import os
import statistics
import sys
import time
from collections import defaultdict

import numpy as np


def read_starts(out):
    with open(os.path.join(out, "starts.txt")) as f:
        return [int(line) for line in f if line.strip()]


def read_edges(out):
    edges = np.loadtxt(os.path.join(out, "edges.tsv"), dtype=np.int64, ndmin=2)
    return edges


def closure(out, pg_port, use_networkx):
    starts = read_starts(out)
    t = time.perf_counter()
    edges = read_edges(out)
    load_s = time.perf_counter() - t
    n = int(edges.max()) + 1 if len(edges) else 0
    n = max(n, max(starts) + 1)
    result = {"edges": int(len(edges)), "load_edges_s": load_s}

    import igraph
    t = time.perf_counter()
    g = igraph.Graph(n=n, edges=edges.tolist(), directed=True)
    result["igraph_build_s"] = time.perf_counter() - t
    times, sizes = [], []
    for s in starts:
        t = time.perf_counter()
        sizes.append(len(g.subcomponent(s, mode="in")))
        times.append(time.perf_counter() - t)
    result["igraph_closure_median_s"] = statistics.median(times)
    result["closure_sizes"] = sizes
    del g

    if use_networkx:
        import networkx as nx
        t = time.perf_counter()
        G = nx.DiGraph()
        G.add_nodes_from(range(n))
        G.add_edges_from(map(tuple, edges.tolist()))
        result["networkx_build_s"] = time.perf_counter() - t
        times, nx_sizes = [], []
        for s in starts:
            t = time.perf_counter()
            nx_sizes.append(len(nx.ancestors(G, s)) + 1)
            times.append(time.perf_counter() - t)
        result["networkx_closure_median_s"] = statistics.median(times)
        result["networkx_sizes_agree"] = nx_sizes == sizes
        del G

    if pg_port:
        import psycopg2
        conn = psycopg2.connect(host="127.0.0.1", port=pg_port, user="postgres", dbname="bench")
        conn.autocommit = True
        cur = conn.cursor()
        cur.execute("drop table if exists edges")
        cur.execute("create table edges (src integer not null, dst integer not null)")
        t = time.perf_counter()
        with open(os.path.join(out, "edges.tsv")) as f:
            cur.copy_expert("copy edges (src, dst) from stdin", f)
        cur.execute("create index edges_dst on edges (dst)")
        cur.execute("analyze edges")
        result["postgres_load_s"] = time.perf_counter() - t
        query = ("with recursive up(v) as (select %s union "
                 "select e.src from edges e join up on e.dst = up.v) select count(*) from up")
        times, pg_sizes = [], []
        for s in starts:
            t = time.perf_counter()
            cur.execute(query, (s,))
            pg_sizes.append(cur.fetchone()[0])
            times.append(time.perf_counter() - t)
        result["postgres_closure_median_s"] = statistics.median(times)
        result["postgres_sizes_agree"] = pg_sizes == sizes
        cur.execute("drop table edges")
        conn.close()
    print(json.dumps(result, indent=2))


def rows(bundle, table):
    path = os.path.join(bundle, table + ".csv")
    if not os.path.exists(path):
        return []
    with open(path, newline="", encoding="utf-8-sig") as f:
        return list(csv.DictReader(f))


def num(row, key):
    v = row.get(key, "")
    return float(v) if v not in ("", None) else None


class Lp:
    """The LPs of time_to_survive.h in A_ub x <= b_ub form."""

    def __init__(self, bundle):
        sites = rows(bundle, "sites")
        production = rows(bundle, "production")
        supply = rows(bundle, "supply")
        demand = rows(bundle, "demand")
        bom = defaultdict(list)
        for b in rows(bundle, "bom"):
            if b.get("recycling", "").lower() in ("true", "1", "yes"):
                continue
            bom[b["product"]].append((b["component"], float(b["quantity"])))
        node = {(p["site"], p["product"]): j for j, p in enumerate(production)}
        links = defaultdict(list)
        for i, l in enumerate(supply):
            links[(l["customer_site"], l["product"])].append(i)
        N, D = len(production), len(demand)
        # Edges: (from node, link or None); groups: (vertex, quantity, [edge ids]).
        edge_from, edge_link, groups = [], [], []

        def group(site, component, own_only):
            ids = []
            own = node.get((site, component))
            if own is not None:
                ids.append(len(edge_from))
                edge_from.append(own)
                edge_link.append(None)
            if own is None or not own_only:
                for i in links.get((site, component), []):
                    sup = node.get((supply[i]["supplier_site"], component))
                    if sup is not None:
                        ids.append(len(edge_from))
                        edge_from.append(sup)
                        edge_link.append(i)
            return ids

        for j, p in enumerate(production):
            for comp, q in bom.get(p["product"], []):
                ids = group(p["site"], comp, False)
                if ids:
                    groups.append((j, q, ids))
        fed = [False] * D
        for d, r in enumerate(demand):
            ids = group(r["site"], r["product"], True)
            if ids:
                fed[d] = True
                groups.append((N + d, 1.0, ids))
        E = len(edge_from)
        self.N, self.E, self.D = N, E, D
        self.t = N + E + D
        self.ncols = self.t + 1
        r_, c_, v_, b = [], [], [], []

        def row(entries, rhs):
            k = len(b)
            for c, v in entries:
                r_.append(k)
                c_.append(c)
                v_.append(v)
            b.append(rhs)

        for vtx, q, ids in groups:
            if vtx < N:
                row([(vtx, q)] + [(N + e, -1.0) for e in ids], 0.0)
            else:
                d = vtx - N
                dem = demand[d]
                row([(N + e, -1.0) for e in ids] + [(N + E + d, -1.0),
                                                     (self.t, float(dem["demand_per_day"]))],
                    num(dem, "inventory_units") or 0.0)
        out = defaultdict(list)
        for e, f in enumerate(edge_from):
            out[f].append(e)
        for j, p in enumerate(production):
            if out.get(j):
                row([(N + e, 1.0) for e in out[j]] + [(j, -1.0)], num(p, "inventory_units") or 0.0)
            c = num(p, "capacity_per_day")
            if c is not None:
                row([(j, 1.0), (self.t, -c)], 0.0)
        site_nodes = defaultdict(list)
        for j, p in enumerate(production):
            site_nodes[p["site"]].append(j)
        for s in sites:
            c = num(s, "capacity_per_day")
            if c is not None and site_nodes.get(s["id"]):
                row([(j, 1.0) for j in site_nodes[s["id"]]] + [(self.t, -c)], 0.0)
        link_edges = defaultdict(list)
        for e, l in enumerate(edge_link):
            if l is not None and num(supply[l], "capacity_per_day") is not None:
                link_edges[l].append(e)
        for l, es in link_edges.items():
            row([(N + e, 1.0) for e in es] + [(self.t, -num(supply[l], "capacity_per_day"))], 0.0)
        self.triplets = (np.array(r_), np.array(c_), np.array(v_, dtype=float))
        self.b = np.array(b, dtype=float)
        self.fed = fed
        self.margin = [num(r, "margin_per_unit") or 0.0 for r in demand]
        self.site_nodes = site_nodes
        self.site_days = {}
        for s in sites:
            days = num(s, "recovery_days")
            if days is None:
                rs = [num(production[j], "recovery_days") for j in site_nodes.get(s["id"], [])]
                rs = [r for r in rs if r is not None]
                days = max(rs) if rs else 30.0
            self.site_days[s["id"]] = days

    def solve(self, site):
        from scipy.optimize import linprog
        from scipy.sparse import coo_matrix
        A = coo_matrix((self.triplets[2], (self.triplets[0], self.triplets[1])),
                       shape=(len(self.b), self.ncols)).tocsr()
        down = set(self.site_nodes.get(site, []))
        bounds = []
        for j in range(self.N):
            bounds.append((0, 0) if j in down else (0, None))
        bounds += [(0, None)] * self.E
        # TTS: max t, l = 0.
        tts_bounds = bounds + [(0, 0)] * self.D + [(0, 1e5)]
        c = np.zeros(self.ncols)
        c[self.t] = -1
        r1 = linprog(c, A_ub=A, b_ub=self.b, bounds=tts_bounds, method="highs")
        days = self.site_days[site]
        ttr_bounds = bounds + [(0, None) if f else (0, 0) for f in self.fed] + [(days, days)]
        c = np.zeros(self.ncols)
        for d in range(self.D):
            c[self.N + self.E + d] = self.margin[d] + 1e-6
        r2 = linprog(c, A_ub=A, b_ub=self.b, bounds=ttr_bounds, method="highs")
        if r1.status != 0 or r2.status != 0:
            raise RuntimeError(f"highs failed on {site}: {r1.message} / {r2.message}")
        tts = r1.x[self.t]
        impact = sum(self.margin[d] * r2.x[self.N + self.E + d] for d in range(self.D))
        return (None if tts >= 1e5 * (1 - 1e-9) else tts), impact


def tts(bundle, out, sample):
    scenarios = []
    with open(os.path.join(out, "tts.tsv")) as f:
        for line in f:
            name, value, impact = line.rstrip("\n").split("\t")
            scenarios.append((name, float(value), float(impact)))
    if sample and sample < len(scenarios):
        scenarios = [scenarios[i * len(scenarios) // sample] for i in range(sample)]
    t = time.perf_counter()
    lp = Lp(bundle)
    parse_s = time.perf_counter() - t
    agree = impact_agree = 0
    times = []
    worst = 0.0
    for name, clp_tts, clp_impact in scenarios:
        t = time.perf_counter()
        value, impact = lp.solve(name)
        times.append(time.perf_counter() - t)
        mine = -1.0 if value is None else value
        diff = abs(mine - clp_tts) / max(1.0, abs(clp_tts))
        worst = max(worst, float(diff))
        agree += int(diff <= 1e-6)
        impact_agree += int(abs(impact - clp_impact) <= 1e-6 * max(1.0, abs(clp_impact)))
    print(json.dumps({
        "scenarios": len(scenarios),
        "parse_bundle_s": parse_s,
        "scipy_highs_per_scenario_s": statistics.mean(times) if times else 0,
        "scipy_highs_per_scenario_median_s": statistics.median(times) if times else 0,
        "tts_agree": agree,
        "impact_agree": impact_agree,
        "tts_worst_relative_difference": worst,
    }, indent=2))


def main():
    if len(sys.argv) < 3:
        print(__doc__)
        sys.exit(1)
    if sys.argv[1] == "closure":
        port = None
        use_nx = "--no-networkx" not in sys.argv
        if "--pg-port" in sys.argv:
            port = int(sys.argv[sys.argv.index("--pg-port") + 1])
        closure(sys.argv[2], port, use_nx)
    elif sys.argv[1] == "tts":
        sample = 0
        if "--sample" in sys.argv:
            sample = int(sys.argv[sys.argv.index("--sample") + 1])
        tts(sys.argv[2], sys.argv[3], sample)
    else:
        print(__doc__)
        sys.exit(1)


if __name__ == "__main__":
    main()
