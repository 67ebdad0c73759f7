"""A throwaway PostgreSQL 15 cluster for development, tests and benchmarks.

Debian's server binaries (`/usr/lib/postgresql/15/bin`, package `postgresql`) are run directly:
`initdb` a data folder, `pg_ctl start` a postmaster listening on loopback only, with its unix
socket in the cluster's own folder, so nothing collides with a system-wide cluster. Trust
authentication on loopback: it is a scratch cluster, never a production setup (README,
"PostgreSQL in production").

PostgreSQL refuses to run as root. When this process is root (CI, containers) every server-side
binary runs as the `postgres` OS user, which then owns the cluster folder; that user must be able
to reach the folder, so pick one whose parents are world-traversable (`/tmp/...`, a project
checkout), not `/tmp/pytest-of-root/...` (mode 0700).

A replica is a `pg_basebackup -R` copy of a running primary: it starts in standby mode and
follows the primary's WAL stream over loopback.
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path

from corroborate.store.base import StoreError

PG_BIN = Path(os.environ.get("CORROBORATE_PG_BIN", "/usr/lib/postgresql/15/bin"))
SUPERUSER = "corroborate"
HOST = "127.0.0.1"
SERVER_USER = "postgres"  # the OS account the server runs as when we are root
_BINARIES = ("initdb", "pg_ctl", "pg_basebackup", "createdb", "psql")
# Everything a libpq client reads from the environment: a developer's PGHOST must not send our
# createdb/psql calls to another server.
_LIBPQ_ENV = ("PGHOST", "PGHOSTADDR", "PGPORT", "PGDATABASE", "PGUSER", "PGPASSWORD", "PGSERVICE",
              "PGSERVICEFILE", "PGPASSFILE", "PGOPTIONS", "PGSSLMODE", "PGDATA")
START_TIMEOUT_S = 120  # the machine may be shared and loaded; initdb + start take seconds idle


class PgClusterError(StoreError):
    """A scratch cluster that cannot be created, started or stopped: names the folder and why."""


def missing_binaries(bin_dir: Path = PG_BIN) -> str | None:
    """Why a cluster cannot be made here, or None when it can."""
    absent = [name for name in _BINARIES if not (bin_dir / name).is_file()]
    if absent:
        return (f"PostgreSQL 15 server binaries missing in {bin_dir} ({', '.join(absent)}): "
                f"install Debian's `postgresql` package (apt-get install postgresql)")
    if os.geteuid() == 0:
        try:
            pwd.getpwnam(SERVER_USER)
        except KeyError:
            return f"running as root and no `{SERVER_USER}` OS user to run the server as"
    return None


def free_port(host: str = HOST) -> int:
    """A TCP port nothing listens on right now (the kernel's pick)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def _port_in_use(port: int, host: str = HOST) -> bool:
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((host, port)) == 0


def _client_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in _LIBPQ_ENV}
    env["LC_ALL"] = "C.UTF-8"
    return env


@dataclass
class PgCluster:
    """One PostgreSQL cluster in `root`: data in `root/data`, socket and log beside it."""

    root: Path
    port: int
    bin_dir: Path = PG_BIN
    primary: PgCluster | None = field(default=None, repr=False)  # set for a replica

    def __post_init__(self) -> None:
        self.root = Path(self.root).resolve()

    # -- where things are -------------------------------------------------------------------
    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def log_file(self) -> Path:
        return self.root / "postgres.log"

    def url(self, dbname: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@{HOST}:{self.port}/{dbname}"

    @property
    def is_initialised(self) -> bool:
        return (self.data_dir / "PG_VERSION").is_file()

    # -- running binaries -------------------------------------------------------------------
    def _server_cmd(self, *args: str, timeout: float = START_TIMEOUT_S) -> subprocess.CompletedProcess:
        """Run a server-side binary (initdb, pg_ctl, pg_basebackup), as `postgres` when root."""
        kwargs: dict = {}
        if os.geteuid() == 0:
            kwargs = {"user": SERVER_USER, "group": pwd.getpwnam(SERVER_USER).pw_gid, "extra_groups": []}
        env = _client_env()
        if os.geteuid() == 0:
            env["HOME"] = pwd.getpwnam(SERVER_USER).pw_dir
        try:
            return subprocess.run([str(self.bin_dir / args[0]), *args[1:]], env=env, cwd=self.root,
                                  capture_output=True, text=True, timeout=timeout, check=True, **kwargs)
        except subprocess.CalledProcessError as exc:
            detail = (exc.stderr or exc.stdout or "").strip().splitlines()[-5:]
            raise PgClusterError(f"{self.root}: {args[0]} failed (exit {exc.returncode}): "
                                 + " | ".join(detail) + self._log_tail()) from None
        except subprocess.TimeoutExpired:
            raise PgClusterError(f"{self.root}: {args[0]} did not finish in {timeout:.0f} s"
                                 + self._log_tail()) from None

    def _log_tail(self) -> str:
        try:
            lines = self.log_file.read_text(errors="replace").strip().splitlines()[-5:]
        except OSError:
            return ""
        return (" (log " + str(self.log_file) + ": " + " | ".join(lines) + ")") if lines else ""

    def _prepare_root(self) -> None:
        created = [p for p in [self.root, *self.root.parents] if not p.exists()]
        self.root.mkdir(parents=True, exist_ok=True)
        if os.geteuid() != 0:
            return
        entry = pwd.getpwnam(SERVER_USER)
        for path in [*created, *self.root.rglob("*")]:
            os.chown(path, entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        os.chown(self.root, entry.pw_uid, entry.pw_gid)
        probe = subprocess.run(["test", "-w", str(self.root), "-a", "-x", str(self.root)],
                               user=entry.pw_uid, group=entry.pw_gid, extra_groups=[])
        if probe.returncode != 0:
            raise PgClusterError(
                f"{self.root}: the `{SERVER_USER}` OS user (the server cannot run as root) cannot reach "
                f"this folder; choose one whose parent folders are world-traversable, e.g. under /tmp")

    def _settings(self) -> str:
        return (
            "\n# corroborate scratch cluster (store/pg_cluster.py)\n"
            f"listen_addresses = '{HOST}'\n"
            f"port = {self.port}\n"
            f"unix_socket_directories = '{self.root}'\n"
            "max_connections = 200\n"  # 50 load-test clients + pools of several processes
            "shared_buffers = 128MB\n"
            "wal_level = replica\n"
            "max_wal_senders = 10\n"
            "hot_standby = on\n"
            "hot_standby_feedback = on\n"  # long replica reads are not cancelled by vacuum
        )

    # -- life cycle -------------------------------------------------------------------------
    def init(self) -> PgCluster:
        """`initdb` an empty cluster (superuser `corroborate`, UTF-8, trust on loopback)."""
        if self.primary is not None:
            raise PgClusterError(f"{self.root}: a replica is made with `replica()`, not `init()`")
        if self.is_initialised:
            raise PgClusterError(f"{self.root}: already holds a cluster ({self.data_dir})")
        self._prepare_root()
        self._server_cmd("initdb", "-D", str(self.data_dir), "-U", SUPERUSER, "--auth=trust",
                         "--encoding=UTF8", "--locale=C.UTF-8")
        self._append_settings()
        return self

    def _append_settings(self) -> None:
        conf = self.data_dir / "postgresql.conf"
        with conf.open("a", encoding="utf-8") as fh:  # later lines win over earlier ones
            fh.write(self._settings())

    def start(self) -> PgCluster:
        if not self.is_initialised:
            raise PgClusterError(f"{self.root}: no cluster here yet (init() first)")
        if self.is_running():
            return self
        if _port_in_use(self.port):
            raise PgClusterError(f"{self.root}: port {self.port} on {HOST} is already in use")
        self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-l", str(self.log_file), "-w",
                         "-t", str(START_TIMEOUT_S), "start")
        return self

    def is_running(self) -> bool:
        if not self.is_initialised:
            return False
        try:
            self._server_cmd("pg_ctl", "-D", str(self.data_dir), "status", timeout=30)
        except PgClusterError:
            return False
        return True

    def stop(self) -> None:
        """A clean shutdown (`fast`: open sessions are ended, a checkpoint is written)."""
        if self.is_running():
            self._server_cmd("pg_ctl", "-D", str(self.data_dir), "-m", "fast", "-w", "stop")

    def kill(self) -> None:
        """Die as in a crash: SIGKILL to every server process, no checkpoint. Starts again
        (`start()`) with crash recovery."""
        pid = self.postmaster_pid()
        if pid is None:
            return
        children = _children(pid)
        for target in [pid, *children]:
            try:
                os.kill(target, signal.SIGKILL)
            except ProcessLookupError:
                pass
        # Until every process is reaped: the next postmaster refuses a lock file whose pid still
        # exists, even as a zombie.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in [pid, *children]):
            time.sleep(0.05)
        (self.data_dir / "postmaster.pid").unlink(missing_ok=True)

    def postmaster_pid(self) -> int | None:
        try:
            first = (self.data_dir / "postmaster.pid").read_text().splitlines()[0]
        except (OSError, IndexError):
            return None
        pid = int(first)
        return pid if _alive(pid) else None

    def server_pids(self) -> list[int]:
        """The postmaster and its children (backends, auxiliary processes), while running."""
        pid = self.postmaster_pid()
        return [] if pid is None else [pid, *_children(pid)]

    def destroy(self) -> None:
        """Stop (or kill) the server and delete the whole folder."""
        try:
            self.stop()
        except PgClusterError:
            self.kill()
        shutil.rmtree(self.root, ignore_errors=True)

    # -- databases and SQL ------------------------------------------------------------------
    def create_database(self, name: str) -> str:
        """Create database `name` (owned by the superuser) and return its URL."""
        try:
            subprocess.run([str(self.bin_dir / "createdb"), "-h", HOST, "-p", str(self.port),
                            "-U", SUPERUSER, name], env=_client_env(), capture_output=True, text=True,
                           check=True, timeout=120)
        except subprocess.CalledProcessError as exc:
            raise PgClusterError(f"{self.root}: createdb {name} failed: {exc.stderr.strip()}") from None
        return self.url(name)

    def psql(self, sql: str, dbname: str = "postgres") -> str:
        """Run SQL with `psql` and return its unaligned, tuples-only output."""
        try:
            done = subprocess.run([str(self.bin_dir / "psql"), "-h", HOST, "-p", str(self.port),
                                   "-U", SUPERUSER, "-d", dbname, "-X", "-A", "-t", "-v",
                                   "ON_ERROR_STOP=1", "-c", sql], env=_client_env(),
                                  capture_output=True, text=True, check=True, timeout=120)
        except subprocess.CalledProcessError as exc:
            raise PgClusterError(f"{self.root}: psql failed on {sql!r}: {exc.stderr.strip()}") from None
        return done.stdout.strip()

    # -- replication ------------------------------------------------------------------------
    def replica(self, root: Path, port: int) -> PgCluster:
        """A streaming replica of this (running) cluster in `root`, not yet started."""
        if self.primary is not None:
            raise PgClusterError(f"{self.root}: replicate the primary, not a replica")
        replica = PgCluster(root=root, port=port, bin_dir=self.bin_dir, primary=self)
        if replica.is_initialised:
            raise PgClusterError(f"{replica.root}: already holds a cluster")
        replica._prepare_root()
        replica._server_cmd("pg_basebackup", "-h", HOST, "-p", str(self.port), "-U", SUPERUSER,
                            "-D", str(replica.data_dir), "-R", "-X", "stream", "-c", "fast")
        replica._append_settings()  # its own port and socket folder, after the copied ones
        return replica

    def wait_replayed(self, timeout: float = 60.0) -> None:
        """On a replica: wait until it has replayed everything its primary has written."""
        if self.primary is None:
            raise PgClusterError(f"{self.root}: not a replica")
        target = self.primary.psql("SELECT pg_current_wal_lsn()")
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            caught_up = self.psql(f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn")
            if caught_up == "t":
                return
            time.sleep(0.05)
        raise PgClusterError(f"{self.root}: replica did not replay up to {target} in {timeout:.0f} s")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie is dead for our purpose (it holds no port or file).
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return True
    return state != "Z"


def _children(pid: int) -> list[int]:
    """Direct children of `pid` (the postmaster's backends and auxiliary processes)."""
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found: list[int] = []
        for task in tasks:
            found += [int(p) for p in (task / "children").read_text().split()]
        return found
    except OSError:
        return []
