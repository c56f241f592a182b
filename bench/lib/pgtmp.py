"""A throwaway PostgreSQL 15 cluster on 127.0.0.1 for benchmarks (Debian's postgresql-15)."""
import os
import shutil
import socket
import subprocess
import tempfile

PG_BIN = "/usr/lib/postgresql/15/bin"


class ThrowawayPostgres:
    """Starts initdb + pg_ctl in a temporary folder; stops and removes it on exit."""

    def __init__(self, port=None):
        # A free port by default, so that runs beside another PostgreSQL do not collide.
        self.port = port if port is not None else self._free_port()
        self.dir = None

    @staticmethod
    def _free_port():
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
            s.bind(("127.0.0.1", 0))
            return s.getsockname()[1]

    def _as_postgres(self, *args):
        cmd = list(args)
        if os.geteuid() == 0:
            cmd = ["runuser", "-u", "postgres", "--"] + cmd
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)

    def __enter__(self):
        self.dir = tempfile.mkdtemp(prefix="renkei-pg-")
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
        data = os.path.join(self.dir, "data")
        self._as_postgres(f"{PG_BIN}/initdb", "-D", data, "-U", "postgres", "--auth=trust",
                          "-E", "UTF8", "--locale=C.UTF-8")
        self._as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-l", os.path.join(self.dir, "pg.log"),
                          "-w", "-t", "60", "-o",
                          f"-p {self.port} -k {self.dir} -c listen_addresses=127.0.0.1 "
                          "-c fsync=off -c synchronous_commit=off -c max_wal_size=4GB "
                          "-c shared_buffers=1GB -c work_mem=256MB", "start")
        self.psql("create database bench", db="postgres")
        return self

    def dsn(self, db="bench"):
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def psql(self, sql, db="bench"):
        return subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-h", "127.0.0.1",
                               "-p", str(self.port), "-U", "postgres", "-d", db, "-At", "-c", sql],
                              check=True, capture_output=True, text=True).stdout

    def __exit__(self, *exc):
        data = os.path.join(self.dir, "data")
        try:
            self._as_postgres(f"{PG_BIN}/pg_ctl", "-D", data, "-m", "fast", "-w", "stop")
        finally:
            shutil.rmtree(self.dir, ignore_errors=True)
