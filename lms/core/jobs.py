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
    """The Huey instance for the app's JOBS_URL."""
    from huey import MemoryHuey, RedisHuey, SqliteHuey

    url = app.config.get("JOBS_URL") or ("immediate" if app.testing else "")
    if url == "immediate":
        return MemoryHuey("lms", immediate=True)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("lms", url=url)
    if url and not url.startswith("sqlite:///"):
        raise ValueError(f"LMS_JOBS_URL must be immediate, sqlite:///FILE or redis://…, "
                         f"not {url!r}")
    path = url.removeprefix("sqlite:///") or str(Path(app.instance_path) / "jobs.db")
    return SqliteHuey("lms", filename=path)


def init_app(app) -> None:
    """Bind a Huey instance and its one task (run a registered job by name) to the app."""
    huey = make_huey(app)

    @huey.task()
    def run(name: str, args: list):
        fn = _JOBS[name]
        if has_app_context() and current_app._get_current_object() is app:
            return fn(*args)   # immediate mode, inside the request that queued it
        with app.app_context():
            return fn(*args)

    app.extensions["jobs"] = (huey, run)


def enqueue(fn: Callable, *args) -> None:
    """Queue the registered job `fn` with `args` (run now in immediate mode)."""
    name = f"{fn.__module__}.{fn.__qualname__}"
    if name not in _JOBS:
        raise KeyError(f"{name} is not a registered job")
    _huey, run = current_app.extensions["jobs"]
    run(name, list(args))


jobs_group = AppGroup("jobs", help="Background jobs.")


@jobs_group.command("worker")
@click.option("--workers", default=2, show_default=True, help="Jobs run at the same time.")
def worker_command(workers):
    """Run queued jobs (long imports) until stopped with Ctrl+C."""
    huey, _run = current_app.extensions["jobs"]
    if huey.immediate:
        raise click.ClickException("LMS_JOBS_URL=immediate runs jobs in the web process; "
                                   "there is no queue to work on")
    click.echo(f"jobs worker: {type(huey).__name__}, {workers} thread(s)")
    huey.create_consumer(workers=workers, worker_type="thread").run()
