#!/usr/bin/python3
"""Memory of `renkei serve` around a burst of idle connections.

Starts a node on a copy of the demo store, measures its resident memory idle, with
N idle TLS connections open (each has done its handshake and one request), and
at times after they all close. The node is expected to give the connections'
memory back: within 2x of the idle figure a minute after they close.

    bench/server/memory [--connections 2000] [--after 1,10,60] [--renkei PATH]
"""
import argparse
import os
import resource
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def rss_mb(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--renkei", default=os.path.join(ROOT, "build/release/src/cli/renkei"))
    ap.add_argument("--connections", type=int, default=2000)
    ap.add_argument("--after", default="1,10,60", help="seconds after closing to measure at")
    args = ap.parse_args()

    want = args.connections + 256
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < want:
        resource.setrlimit(resource.RLIMIT_NOFILE, (min(max(want, soft), hard), hard))

    work = tempfile.mkdtemp(prefix="renkei-memory-")
    db = os.path.join(work, "demo.db")
    try:
        subprocess.run([args.renkei, "init", db], check=True, stdout=subprocess.DEVNULL)
        subprocess.run([args.renkei, "import", db, os.path.join(ROOT, "data/japan-strategic")],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        port = free_port()
        node = subprocess.Popen([args.renkei, "serve", db, "--listen", f"127.0.0.1:{port}"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            ctx = ssl.create_default_context()
            ctx.check_hostname = False
            ctx.verify_mode = ssl.CERT_NONE
            deadline = time.time() + 30
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        sys.exit("the node did not start")
                    time.sleep(0.1)
            time.sleep(2)
            idle = rss_mb(node.pid)
            conns = []
            request = (b"GET /.well-known/openid-configuration HTTP/1.1\r\n"
                       b"Host: 127.0.0.1\r\n\r\n")
            for _ in range(args.connections):
                s = ctx.wrap_socket(socket.create_connection(("127.0.0.1", port)))
                s.sendall(request)
                s.recv(65536)
                conns.append(s)
            time.sleep(1)
            busy = rss_mb(node.pid)
            for s in conns:
                s.close()
            print(f"connections {args.connections}")
            print(f"idle        {idle:8.1f} MB")
            print(f"open        {busy:8.1f} MB  ({busy / idle:.2f}x idle)")
            start = time.time()
            for t in [float(x) for x in args.after.split(",")]:
                time.sleep(max(0.0, start + t - time.time()))
                after = rss_mb(node.pid)
                print(f"closed +{t:<4g}s {after:8.1f} MB  ({after / idle:.2f}x idle)")
        finally:
            node.terminate()
            node.wait(timeout=30)
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
