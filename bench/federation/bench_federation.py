#!/usr/bin/python3
"""Federation transport benchmark: sealing and opening envelopes against PyJWT, and a
`hello` round trip between two `renkei serve` nodes against a plain authenticated GET on
the same node, in one run.

Usage: bench/federation/run [--messages N] [--round-trips N] [--runs R] [--work DIR]

- seal/open: bench/federation/federation_bench seals N hello questions (RFC 8785
  canonical JSON, JWS EdDSA over Ed25519 with libsodium) and opens them (verify, then every
  field checked); PyJWT 2 (Debian's python3-jwt, EdDSA through python3-cryptography, i.e.
  OpenSSL) encodes and decodes the same envelope as a JWT (no canonical form, no field
  checks). Median of the runs, microseconds per message.
- round trip: node b serves its store; federation_bench asks it N hellos as org:a (token
  cached, a new TLS connection per message as federation::Client makes), then N GETs of
  /api/v1/overview with the same token and HTTP library, also a new connection each. The
  ratio is the cost of a federation message over a bare authenticated HTTPS request.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import ssl

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
RENKEI = os.path.join(ROOT, "build", "release", "src", "cli", "renkei")
BENCH = os.path.join(ROOT, "build", "release", "bench", "federation", "federation_bench")


def run(*args):
    r = subprocess.run([RENKEI, *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"renkei {' '.join(args)}: {r.stderr}")
    return r.stdout


def field(text, label):
    rest = text[text.index(label) + len(label):].lstrip(" ")
    return rest.split()[0]


def free_port():
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def import_orgs(work, db, orgs):
    path = os.path.join(work, f"bundle-{os.path.basename(db)}-{len(orgs)}-{time.time_ns()}.json")
    rows = [{"id": i, "name": i, "country": "JP", **({"public_key": k} if k else {})}
            for i, k in orgs]
    with open(path, "w") as f:
        json.dump({"organizations": rows}, f)
    if not os.path.exists(db):
        run("init", db)
    run("import", db, path)


def setup(work):
    """Stores a.db and b.db, each with its organization's key and the other's public key;
    a client of org:a at b and b as a's partner. Returns (a_db, b_db, port, cert)."""
    dbs = {n: os.path.join(work, f"{n}.db") for n in "ab"}
    keys = {}
    for n, db in dbs.items():
        import_orgs(work, db, [(f"org:{n}", "")])
        keys[n] = field(run("keys", "init", db, f"org:{n}"), "(Ed25519, base64url)")
    import_orgs(work, dbs["a"], [("org:b", keys["b"])])
    import_orgs(work, dbs["b"], [("org:a", keys["a"])])
    added = run("client", "add", dbs["b"], "node-a", "--organization", "org:a")
    port = free_port()
    cert = dbs["b"] + ".cert.pem"  # `renkei serve` makes a self-signed certificate here
    run("partner", dbs["a"], "org:b", "--url", f"https://127.0.0.1:{port}", "--client-id",
        field(added, "client_id"), "--client-secret", field(added, "client_secret"), "--ca", cert)
    return dbs["a"], dbs["b"], port, cert


def wait_up(port):
    ctx = ssl.create_default_context()
    ctx.check_hostname = False
    ctx.verify_mode = ssl.CERT_NONE
    for _ in range(300):
        try:
            urllib.request.urlopen(f"https://127.0.0.1:{port}/.well-known/openid-configuration",
                                   context=ctx, timeout=1)
            return
        except Exception:
            time.sleep(0.1)
    sys.exit("the node did not start")


def pyjwt_us(messages):
    key = Ed25519PrivateKey.generate()
    public = key.public_key()
    now = int(time.time() * 1000)
    envelopes = [{"v": 1, "id": os.urandom(16).hex(), "nonce": os.urandom(16).hex(),
                  "kind": "hello", "origin": "org:a", "sender": "org:a", "recipient": "org:b",
                  "sent_ms": now, "budget_ms": 5000, "hops": 4,
                  "body": {"product": "prod:ev-battery-pack"}} for _ in range(messages)]
    t0 = time.perf_counter()
    tokens = [jwt.encode(e, key, algorithm="EdDSA", headers={"kid": "org:a"}) for e in envelopes]
    t1 = time.perf_counter()
    for t in tokens:
        jwt.decode(t, public, algorithms=["EdDSA"])
    t2 = time.perf_counter()
    return (t1 - t0) / messages * 1e6, (t2 - t1) / messages * 1e6


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--messages", type=int, default=5000)
    ap.add_argument("--round-trips", type=int, default=300)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work")
    args = ap.parse_args()
    work = args.work or tempfile.mkdtemp(prefix="renkei-federation-bench-")
    os.makedirs(work, exist_ok=True)

    seal, open_, py_seal, py_open = [], [], [], []
    for _ in range(args.runs):
        out = json.loads(subprocess.run([BENCH, "seal", str(args.messages)], check=True,
                                        capture_output=True, text=True).stdout)
        seal.append(out["seal_us"])
        open_.append(out["open_us"])
        s, o = pyjwt_us(args.messages)
        py_seal.append(s)
        py_open.append(o)
    m = statistics.median
    print(f"envelopes ({args.messages} per run, median of {args.runs} runs; "
          f"{out['bytes']} bytes sealed)")
    print(f"  {'':8} {'renkei µs':>10} {'PyJWT µs':>10} {'ratio':>7}")
    print(f"  {'seal':8} {m(seal):10.1f} {m(py_seal):10.1f} {m(py_seal) / m(seal):6.2f}×")
    print(f"  {'open':8} {m(open_):10.1f} {m(py_open):10.1f} {m(py_open) / m(open_):6.2f}×")

    a_db, b_db, port, cert = setup(work)
    node = subprocess.Popen([RENKEI, "serve", b_db, "--listen", f"127.0.0.1:{port}"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_up(port)
        rows = []
        for _ in range(args.runs):
            rows.append(json.loads(subprocess.run(
                [BENCH, "ask", a_db, "org:b", str(args.round_trips)], check=True,
                capture_output=True, text=True).stdout))
    finally:
        node.terminate()
        node.wait()
    ask = m(r["ask_median_ms"] for r in rows)
    get = m(r["get_median_ms"] for r in rows)
    print(f"round trips ({args.round_trips} per run, median of the runs' medians; p99 median)")
    print(f"  hello (sealed question and answer)   {ask:7.2f} ms   p99 "
          f"{m(r['ask_p99_ms'] for r in rows):7.2f} ms")
    print(f"  GET /api/v1/overview (bearer token)  {get:7.2f} ms   p99 "
          f"{m(r['get_p99_ms'] for r in rows):7.2f} ms")
    print(f"  hello / GET                          {ask / get:7.2f}×")


if __name__ == "__main__":
    main()
