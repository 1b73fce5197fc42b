"""HTTP mode under gunicorn: the master binds, checks the token, builds what workers share, forks.

The order matters, and it is what makes start-up safe:

1. gunicorn's listening sockets are bound first, and answer `/healthz` with 503 "starting" while
   2. runs (`bot.slack.boot.StartingServer`);
2. `prepare()` runs once, in the master: `auth.test` (a refused token ends here, exit 2, before
   any worker could die of it), the catalogue's index, `gc.freeze()` so that the workers share
   those pages copy-on-write instead of each building a copy;
3. gunicorn takes over the same sockets and forks the workers; `factory()` runs in each worker
   (engines and threads are made after the fork, never shared across it).

Metrics: prometheus-client's multiprocess mode, in PROMETHEUS_MULTIPROC_DIR (a new temporary
directory unless the operator names one; emptied at master start), with `mark_process_dead` in
gunicorn's `child_exit`.
"""

from __future__ import annotations

import gc
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from bot.logs import gunicorn_logconfig

Factory = Callable[[], Callable[..., Iterable[bytes]]]


def prepare_metrics_dir() -> Path:
    """PROMETHEUS_MULTIPROC_DIR, created (or emptied: samples of a previous run would be summed in)."""
    named = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    path = Path(named) if named else Path(tempfile.mkdtemp(prefix="hwerror-metrics-"))
    path.mkdir(parents=True, exist_ok=True)
    for old in path.glob("*.db"):
        old.unlink()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(path)
    return path


def _forget(path: Path, ours: bool) -> None:
    """The temporary metrics directory goes with the server; one the operator named stays."""
    if ours:
        shutil.rmtree(path, ignore_errors=True)


def _child_exit(_server: Any, worker: Any) -> None:
    from bot.metrics import mark_process_dead

    mark_process_dead(worker.pid)


def serve_http(
    factory: Factory,
    *,
    bind: str,
    workers: int,
    threads: int,
    prepare: Callable[[], None] | None = None,
) -> None:
    """Run the WSGI app under gunicorn (threaded workers); `factory` runs in each worker process.

    `bind` is HWERROR_BIND (or 0.0.0.0:$PORT). GUNICORN_CMD_ARGS is read the way the `gunicorn`
    command reads it, so what an operator is used to giving gunicorn keeps working here: its
    options (and a --config file it names) override ours, --bind included. gunicorn's
    BaseApplication reads nothing from the environment by itself, and its Application would
    parse our own command line (`hwerror serve --http`) as gunicorn's; so this is Application's
    precedence (app settings < config file < GUNICORN_CMD_ARGS) without the command line (and
    without its --chdir and implicit ./gunicorn.conf.py: a stray file must not move the server).
    `prepare` runs in the master before the fork, while /healthz answers "starting"; what it
    raises ends the server (the sockets closed) and reaches the caller.
    """
    from gunicorn import sock
    from gunicorn.app.base import Application
    from gunicorn.arbiter import Arbiter

    from bot.slack.boot import StartingServer

    ours = not os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    metrics_dir = prepare_metrics_dir()

    class Server(Application):  # type: ignore[misc]
        def load_config(self) -> None:
            options = {
                "bind": [bind],
                "workers": max(1, workers),
                "threads": max(1, threads),
                "worker_class": "gthread",
                "timeout": 30,
                "graceful_timeout": 10,
                "keepalive": 5,
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "info",
                "logconfig_dict": gunicorn_logconfig(),
                "proc_name": "hwerror",
                "control_socket_disable": True,  # several servers on one machine (tests, bench)
                "child_exit": _child_exit,
            }
            for key, value in options.items():
                self.cfg.set(key, value)
            env_args = self.cfg.parser().parse_args(self.cfg.get_cmd_args_from_env())
            if env_args.config:
                self.load_config_from_file(env_args.config)
            for key, value in vars(env_args).items():
                if value is not None and key != "args":
                    self.cfg.set(key.lower(), value)

        def load(self) -> Callable[..., Iterable[bytes]]:
            return factory()

        def run(self) -> None:
            arbiter = Arbiter(self)
            listeners = sock.create_sockets(self.cfg, arbiter.log)
            try:
                with StartingServer([lnr.sock for lnr in listeners]):
                    if prepare is not None:
                        prepare()
                    gc.collect()
                    gc.freeze()  # what the master built stays in shared pages (no refcount writes by gc)
            except BaseException:
                sock.close_sockets(listeners, unlink=True)
                _forget(metrics_dir, ours)
                raise
            arbiter.LISTENERS = listeners
            master = os.getpid()
            try:
                arbiter.run()
            finally:
                if os.getpid() == master:  # a worker's exit unwinds through here too, after the fork
                    _forget(metrics_dir, ours)

    Server().run()
