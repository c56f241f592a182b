#!/usr/bin/python3
"""HTTP benchmark: `renkei serve` against nginx serving the same bytes as static files,
both over TLS with the same self-signed certificate, driven by wrk in one run.

Usage: bench/server/run [--duration S] [--connections C] [--threads T] [--sites N]
                        [--pin] [--server-threads N] [--only list|gzip|one] [--renkei PATH]
                        [--perf] [--work DIR] [--sweep C1,C2,...] [--postgres]

For GET /3/footprints?limit=100 (as it is, and gzip-encoded for a client that accepts it)
and GET /3/footprints/{id}: the response body is fetched from renkei once and written as a
static file for nginx (the gzip bytes as list.json.gz, served by nginx's gzip_static); wrk
runs against renkei (with the bearer token) and then nginx; the renkei process's resident
memory is sampled every second. --sweep runs each request at several connection counts
instead, both servers side by side, to show how the latency grows with the connections
(a closed loop of C connections has a mean latency of C / throughput). --postgres also
serves the same bundle from a second node whose store is a PostgreSQL database on a
throwaway cluster, measured after the node on SQLite, with the ratio of the two.
"""
import argparse
import base64
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pgtmp import ThrowawayPostgres  # noqa: E402

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENKEI = os.path.join(ROOT, "build", "release", "src", "cli", "renkei")
DEMO = os.path.join(ROOT, "data", "japan-strategic")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run(*cmd):
    return subprocess.run(list(cmd), check=True, capture_output=True, text=True).stdout


def rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler:
    """Samples a process's VmRSS every second in a thread."""

    def __init__(self, pid):
        self.pid = pid
        self.samples = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, daemon=True)

    def _loop(self):
        while not self._stop.is_set():
            self.samples.append(rss_kb(self.pid))
            self._stop.wait(1.0)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.samples.append(rss_kb(self.pid))


UNITS = {"us": 1e-3, "ms": 1.0, "s": 1e3, "m": 60e3}


def to_ms(text):
    m = re.fullmatch(r"([\d.]+)(us|ms|s|m)", text)
    return float(m.group(1)) * UNITS[m.group(2)]


def wrk(url, args, token=None, headers=(), connections=None):
    # --pin: the client on CPU 0, the server under test on the others (pinned at start).
    connections = connections or args.connections
    cmd = ["taskset", "-c", "0"] if args.pin else []
    cmd += ["wrk", "-t", str(min(args.threads, connections)), "-c", str(connections), "-d",
           f"{args.duration}s", "--latency", "--timeout", "5s"]
    if token:
        cmd += ["-H", f"Authorization: Bearer {token}"]
    for h in headers:
        cmd += ["-H", h]
    out = run(*cmd, url)
    result = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1)),
              "requests": int(re.search(r"(\d+) requests in", out).group(1)),
              "p50": to_ms(re.search(r"^\s+50%\s+(\S+)", out, re.M).group(1)),
              "p99": to_ms(re.search(r"^\s+99%\s+(\S+)", out, re.M).group(1)),
              "non2xx": 0, "socket": 0, "raw": out}
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    if m:
        result["non2xx"] = int(m.group(1))
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    if m:
        result["socket"] = sum(int(g) for g in m.groups())
    return result


NGINX_CONF = """\
worker_processes {workers};
pid {work}/nginx.pid;
error_log {work}/nginx-error.log;
events {{ worker_connections 1024; }}
http {{
  access_log {work}/nginx-access.log;
  client_body_temp_path {work}/nginx-tmp;
  proxy_temp_path {work}/nginx-tmp;
  fastcgi_temp_path {work}/nginx-tmp;
  uwsgi_temp_path {work}/nginx-tmp;
  scgi_temp_path {work}/nginx-tmp;
  default_type application/json;
  sendfile on;
  gzip_static on;
  server {{
    listen 127.0.0.1:{port} ssl;
    ssl_certificate {cert};
    ssl_certificate_key {key};
    root {root};
    location = /3/footprints {{ try_files /list.json =404; }}
    location /3/footprints/ {{ try_files /one.json =404; }}
  }}
}}
"""


def prepare_store(renkei_bin, where, bundle, organizations, secrets=()):
    """Imports `bundle` into a new store at `where`, with signing keys for (up to 300 of)
    its organizations, as a node serves signed footprints, and an admin client; returns
    the client's id and secret."""
    run(renkei_bin, "init", where)
    run(renkei_bin, "import", where, bundle)
    for org in organizations[:300]:
        run(renkei_bin, "keys", "init", where, org, *secrets)
    added = run(renkei_bin, "client", "add", where, "bench", "--organization", organizations[0],
                "--admin")
    return (re.search(r"client_id\s+(\S+)", added).group(1),
            re.search(r"client_secret\s+(\S+)", added).group(1))


def start_node(serve, log):
    """Starts `renkei serve` and waits for its "serving" line."""
    server = subprocess.Popen(serve, stdout=subprocess.PIPE, stderr=log, text=True)
    for line in server.stdout:
        if line.startswith("serving"):
            return server
    sys.exit("renkei serve did not start; see " + log.name)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--duration", type=int, default=30, help="seconds per wrk run")
    ap.add_argument("--connections", type=int, default=64)
    ap.add_argument("--threads", type=int, default=0,
                    help="wrk threads (default: one per CPU wrk runs on: 1 with --pin, else 2)")
    ap.add_argument("--sites", type=int, default=0,
                    help="serve a generated bundle of N sites instead of the demo")
    ap.add_argument("--perf", action="store_true",
                    help="also profile renkei with perf (up to 15 s of each renkei run)")
    ap.add_argument("--work", default="", help="work folder (default: a new one, removed)")
    ap.add_argument("--pin", action="store_true",
                    help="pin wrk to CPU 0 and renkei and nginx to the other CPUs (nginx with "
                         "one worker per CPU), so the client does not take the server's CPU")
    ap.add_argument("--server-threads", type=int, default=0,
                    help="renkei serve --threads (default: the node's default)")
    ap.add_argument("--only", choices=["list", "gzip", "one"], help="run one of the requests")
    ap.add_argument("--renkei", default=RENKEI, help="the renkei binary (default: Release build)")
    ap.add_argument("--token-calls", type=int, default=20,
                    help="time this many POST /auth/token calls before the runs")
    ap.add_argument("--postgres", action="store_true",
                    help="also measure a node whose store is a PostgreSQL database")
    ap.add_argument("--sweep", default="",
                    help="comma-separated connection counts: run each request at each count "
                         "(renkei and nginx) and print latency against connections")
    args = ap.parse_args()
    sweep = [int(c) for c in args.sweep.split(",") if c]
    renkei_bin = args.renkei
    cpus = os.cpu_count() or 1
    if args.pin and cpus < 2:
        sys.exit("--pin needs at least 2 CPUs")
    server_cpus = f"1-{cpus - 1}" if cpus > 2 else "1"
    # More wrk threads than its CPUs take turns on them: a response then waits for its
    # thread's next time slice, milliseconds that wrk counts as the server's latency.
    args.threads = args.threads or (1 if args.pin else 2)
    server_prefix = ["taskset", "-c", server_cpus] if args.pin else []

    work = args.work or tempfile.mkdtemp(prefix="renkei-bench-server-")
    os.makedirs(work, exist_ok=True)
    os.chmod(work, 0o755)  # nginx workers (user nobody) read the static files
    db = os.path.join(work, "node.db")
    for suffix in ("", "-wal", "-shm", ".cert.pem", ".key.pem"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)

    bundle = DEMO
    if args.sites:
        bundle = os.path.join(work, f"bundle-{args.sites}")
        if not os.path.exists(os.path.join(bundle, "supply.csv")):
            run(renkei_bin, "generate", bundle, "--sites", str(args.sites), "--seed", "1")
    with open(os.path.join(bundle, "organizations.csv"), encoding="utf-8") as f:
        organizations = [line.split(",", 1)[0] for line in f.read().splitlines()[1:] if line]
    client_id, secret = prepare_store(renkei_bin, db, bundle, organizations)

    renkei_port, nginx_port = free_port(), free_port()
    log = open(os.path.join(work, "renkei.log"), "w")
    serve = server_prefix + [renkei_bin, "serve", db, "--listen", f"127.0.0.1:{renkei_port}"]
    if args.server_threads:
        serve += ["--threads", str(args.server_threads)]
    server = start_node(serve, log)
    nginx = None
    pg = pg_server = None
    try:
        cert, key = db + ".cert.pem", db + ".key.pem"
        context = ssl.create_default_context(cafile=cert)
        base = f"https://127.0.0.1:{renkei_port}"

        def fetch(path, token=None, data=None, headers=None, url=base):
            req = urllib.request.Request(url + path, data=data, headers=headers or {})
            if token:
                req.add_header("Authorization", f"Bearer {token}")
            with urllib.request.urlopen(req, context=context) as r:
                return r.read()

        def get_token(url=base, client=(client_id, secret)):
            basic = base64.b64encode(f"{client[0]}:{client[1]}".encode()).decode()
            return json.loads(fetch("/auth/token", data=b"grant_type=client_credentials", headers={
                "Authorization": f"Basic {basic}",
                "Content-Type": "application/x-www-form-urlencoded"}, url=url))["access_token"]

        token = get_token()
        times = []
        for _ in range(args.token_calls):
            t0 = time.perf_counter()
            get_token()
            times.append((time.perf_counter() - t0) * 1e3)
        if times:
            times.sort()
            print(f"POST /auth/token: {len(times)} calls (new TLS connection each), median "
                  f"{times[len(times) // 2]:.1f} ms, max {times[-1]:.1f} ms", flush=True)

        root = os.path.join(work, "static")
        os.makedirs(root, exist_ok=True)
        list_body = fetch("/3/footprints?limit=100", token)
        docs = json.loads(list_body)["data"]
        one_path = f"/3/footprints/{docs[0]['id']}"
        one_body = fetch(one_path, token)
        gzip_header = "Accept-Encoding: gzip"
        gzip_body = fetch("/3/footprints?limit=100", token, headers={"Accept-Encoding": "gzip"})
        assert gzip_body[:2] == b"\x1f\x8b", "renkei did not gzip the list page"
        with open(os.path.join(root, "list.json"), "wb") as f:
            f.write(list_body)
        with open(os.path.join(root, "list.json.gz"), "wb") as f:
            f.write(gzip_body)
        with open(os.path.join(root, "one.json"), "wb") as f:
            f.write(one_body)

        conf = os.path.join(work, "nginx.conf")
        os.makedirs(os.path.join(work, "nginx-tmp"), exist_ok=True)
        with open(conf, "w") as f:
            f.write(NGINX_CONF.format(work=work, port=nginx_port, cert=cert, key=key, root=root,
                                      workers=cpus - 1 if args.pin else "auto"))
        nginx = subprocess.Popen(server_prefix + ["nginx", "-c", conf, "-p", work, "-g", "daemon off;"],
                                 stderr=subprocess.DEVNULL)
        nginx_base = f"https://127.0.0.1:{nginx_port}"
        for _ in range(100):
            try:
                if fetch("/3/footprints?limit=100", url=nginx_base) == list_body:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            sys.exit("nginx did not serve the list; see " + os.path.join(work, "nginx-error.log"))
        assert fetch(one_path, url=nginx_base) == one_body
        assert fetch("/3/footprints?limit=100", url=nginx_base,
                     headers={"Accept-Encoding": "gzip"}) == gzip_body

        pg_base = pg_token = None
        if args.postgres:
            # The same bundle, keys and client in a PostgreSQL database; the node takes
            # the SQLite node's certificate (a URL has no "beside" for one).
            pg = ThrowawayPostgres().__enter__()
            pg.psql("create database renkei", db="postgres")
            url = f"postgresql://postgres@127.0.0.1:{pg.port}/renkei"
            secrets = ("--secrets-key", os.path.join(work, "pg.secrets.key"))
            pg_client = prepare_store(renkei_bin, url, bundle, organizations, secrets)
            pg_port = free_port()
            pg_serve = server_prefix + [renkei_bin, "serve", url, "--listen",
                                        f"127.0.0.1:{pg_port}", "--cert", cert, "--key", key,
                                        *secrets]
            if args.server_threads:
                pg_serve += ["--threads", str(args.server_threads)]
            pg_server = start_node(pg_serve, log)
            pg_base = f"https://127.0.0.1:{pg_port}"
            pg_token = get_token(pg_base, pg_client)
            pg_list = json.loads(fetch("/3/footprints?limit=100", pg_token, url=pg_base))["data"]
            assert [d["id"] for d in pg_list] == [d["id"] for d in docs], \
                "the node on PostgreSQL lists other footprints"

        print(f"bundle: {os.path.relpath(bundle, ROOT) if bundle == DEMO else bundle}, "
              f"{len(json.loads(fetch('/3/footprints', token))['data'])} v3 footprints; "
              f"wrk -t{args.threads} -c{args.connections} -d{args.duration}s over TLS "
              f"(keep-alive), machine: {cpus} cores, load average "
              f"{os.getloadavg()[0]:.2f} at start; "
              + (f"pinned: wrk on CPU 0, servers on CPU {server_cpus}; " if args.pin
                 else "not pinned; ")
              + f"renkei threads: {args.server_threads or 'default'}\n", flush=True)
        cases = {
            "list": (f"GET /3/footprints?limit=100 ({len(list_body):,} B)",
                     "/3/footprints?limit=100", ()),
            "gzip": (f"GET /3/footprints?limit=100, {gzip_header} ({len(gzip_body):,} B)",
                     "/3/footprints?limit=100", (gzip_header,)),
            "one": (f"GET /3/footprints/{{id}} ({len(one_body):,} B)", one_path, ()),
        }
        cases = [cases[args.only]] if args.only else list(cases.values())
        if sweep:
            Sweep(cases, sweep, args, base, nginx_base, token)
            return
        all_rss = []
        rows = []
        for name, path, headers in cases:
            perf = None
            perf_data = os.path.join(work, f"perf-{len(rows)}.data")
            if args.perf and shutil.which("perf"):
                perf = subprocess.Popen(
                    ["perf", "record", "-F", "499", "-g", "-p", str(server.pid), "-o",
                     perf_data, "--", "sleep", str(min(args.duration, 15))],
                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            with RssSampler(server.pid) as rss:
                r = wrk(base + path, args, token, headers)
            if perf:
                perf.wait()
            all_rss += rss.samples
            n = wrk(nginx_base + path, args, headers=headers)
            for who, res in (("renkei", r), ("nginx", n)):
                with open(os.path.join(work, f"wrk-{who}-{len(rows)}.txt"), "w") as f:
                    f.write(res["raw"])
            rows.append((name, r, n, rss.samples))
            print(f"{name}", flush=True)
            measured = [("renkei", r), ("nginx", n)]
            if pg_server:
                measured.append(("renkei on PostgreSQL",
                                 wrk(pg_base + path, args, pg_token, headers)))
            for who, res in measured:
                print(f"  {who:<21} {res['rps']:10,.0f} req/s  p50 {res['p50']:7.2f} ms  "
                      f"p99 {res['p99']:7.2f} ms  errors {res['non2xx'] + res['socket']} "
                      f"(non-2xx {res['non2xx']}, socket {res['socket']})", flush=True)
            print(f"  renkei/nginx req/s {r['rps'] / n['rps']:.2f}; renkei RSS first "
                  f"{rss.samples[0] / 1024:.1f} MB, max {max(rss.samples) / 1024:.1f} MB, last "
                  f"{rss.samples[-1] / 1024:.1f} MB ({len(rss.samples)} samples)", flush=True)
            if pg_server:
                print(f"  renkei on PostgreSQL / on SQLite req/s {measured[2][1]['rps'] / r['rps']:.2f}",
                      flush=True)
            print(flush=True)

        print("targets (issue): renkei >= 50 % of nginx req/s, p99 < 5 ms, zero errors, "
              "flat memory")
        for name, r, n, _ in rows:
            ratio = r["rps"] / n["rps"]
            errors = r["non2xx"] + r["socket"]
            print(f"  {name}: ratio {ratio:.2f} {'ok' if ratio >= 0.5 else 'MISSED'}; p99 "
                  f"{r['p99']:.2f} ms {'ok' if r['p99'] < 5 else 'MISSED'}; errors {errors} "
                  f"{'ok' if errors == 0 else 'MISSED'}")
        growth = (all_rss[-1] - all_rss[0]) / 1024
        print(f"  memory over the renkei runs: first {all_rss[0] / 1024:.1f} MB, max "
              f"{max(all_rss) / 1024:.1f} MB, last {all_rss[-1] / 1024:.1f} MB "
              f"(growth {growth:+.1f} MB)")
        for i, (name, *_rest) in enumerate(rows):
            perf_data = os.path.join(work, f"perf-{i}.data")
            if not (args.perf and os.path.exists(perf_data)):
                continue
            report = subprocess.run(
                ["perf", "report", "-i", perf_data, "--stdio", "--no-children", "--sort", "dso",
                 "--percent-limit", "0.5", "-g", "none"],
                capture_output=True, text=True).stdout
            print(f"\nperf, renkei during {name}: self time by library")
            print("\n".join(l.rstrip(" -") for l in report.splitlines() if l and l[0] != "#"))
    finally:
        server.terminate()
        server.wait()
        if pg_server:
            pg_server.terminate()
            pg_server.wait()
        if pg:
            pg.__exit__(None, None, None)
        if nginx:
            nginx.terminate()
            nginx.wait()
        log.close()
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)


def Sweep(cases, counts, args, base, nginx_base, token):
    """Latency against the number of connections, renkei and nginx side by side."""
    for name, path, headers in cases:
        print(name, flush=True)
        print(f"  {'conns':>5}  {'renkei req/s':>12} {'p50':>7} {'p99':>7} {'C/rps':>7}  "
              f"{'nginx req/s':>12} {'p50':>7} {'p99':>7} {'C/rps':>7}  ratio  (ms)", flush=True)
        for c in counts:
            r = wrk(base + path, args, token, headers, connections=c)
            n = wrk(nginx_base + path, args, headers=headers, connections=c)
            cols = "  ".join(f"{x['rps']:12,.0f} {x['p50']:7.2f} {x['p99']:7.2f} "
                             f"{c / x['rps'] * 1e3:7.2f}" for x in (r, n))
            errors = sum(x["non2xx"] + x["socket"] for x in (r, n))
            print(f"  {c:>5}  {cols}  {r['rps'] / n['rps']:5.2f}"
                  + (f"  errors {errors}" if errors else ""), flush=True)
        print(flush=True)


if __name__ == "__main__":
    main()
