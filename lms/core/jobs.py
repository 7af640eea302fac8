"""Background jobs (long imports) on Huey: its SQLite storage in the instance folder by default,
Redis with LMS_JOBS_URL=redis://…, or `immediate` (each job runs at once, in the caller: what
tests use when LMS_JOBS_URL is not set).

A room registers a job function with `@job`; `enqueue(fn, *args)` queues it by name. The worker
(`flask lms jobs worker`, started by `make run`) runs each in an app context of its own, so a
job has its own database session and commits it itself, like a CLI command.
"""

from collections.abc import Callable
from pathlib import Path

import click
from flask import current_app, has_app_context
from flask.cli import AppGroup

_JOBS: dict[str, Callable] = {}


def job(fn: Callable) -> Callable:
    """Register `fn` as a job (its arguments must be JSON-like: ids, not objects)."""
    _JOBS[f"{fn.__module__}.{fn.__qualname__}"] = fn
    return fn


def make_huey(app):
    """The Huey instance for the app's JOBS_URL (a SQLite file is created on this call)."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    url = app.config.get("JOBS_URL") or ("immediate" if app.testing else "")
    if url == "immediate":
        return MemoryHuey("lms", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("lms", url=url)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"LMS_JOBS_URL must be immediate, sqlite:///FILE or redis://…, "
                         f"not {url!r}")
    path = Path(url.removeprefix("sqlite:///") or Path(app.instance_path) / "jobs.db")
    path.parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("lms", filename=str(path))


class Jobs:
    """The app's queue, made on first use (creating the app writes no file): `huey` and its
    one task, `run`, which runs a registered job by name."""

    def __init__(self, app):
        self.app = app
        self._huey = None

    @property
    def huey(self):
        return self._made()[0]

    def run(self, name: str, args: list) -> None:
        """Queue the job `name` (run it now in immediate mode)."""
        self._made()[1](name, args)

    def _made(self):
        if self._huey is None:
            app, huey = self.app, make_huey(self.app)

            @huey.task(name="run")
            def run(name: str, args: list):
                fn = _JOBS[name]
                if has_app_context() and current_app._get_current_object() is app:
                    return fn(*args)   # immediate mode, inside the request that queued it
                with app.app_context():
                    return fn(*args)

            self._huey, self._run = huey, run
        return self._huey, self._run


def init_app(app) -> None:
    """Give the app its (lazily made) queue."""
    app.extensions["jobs"] = Jobs(app)


def enqueue(fn: Callable, *args) -> None:
    """Queue the registered job `fn` with `args` (run now in immediate mode)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    if name not in _JOBS:
        raise KeyError(f"{name} is not a registered job")
    current_app.extensions["jobs"].run(name, list(args))


jobs_group = AppGroup("jobs", help="Background jobs.")


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(workers):
    """Run queued jobs (long imports) until stopped with Ctrl+C."""
    huey = current_app.extensions["jobs"].huey
    if huey.immediate:
        raise click.ClickException("LMS_JOBS_URL=immediate runs jobs in the web process; "
                                   "there is no queue to work on")
    click.echo(f"jobs worker: {type(huey).__name__}, {workers} thread(s)")
    huey.create_consumer(workers=workers, worker_type="thread").run()
