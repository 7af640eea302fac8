"""Static files with a content hash in their name, cached for a year (`asset('css/app.css')`)."""

import hashlib
import re
from pathlib import Path

from flask import abort, has_request_context, request, send_from_directory, url_for

_HASHED = re.compile(r"^(?P<stem>.+)\.(?P<digest>[0-9a-f]{10})(?P<suffix>\.[A-Za-z0-9]+)$")
ONE_YEAR = 365 * 24 * 3600


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:10]


def init_app(app) -> None:
    """Hash every static file once at start-up and expose `asset()` to templates."""
    static = Path(app.static_folder)
    manifest = {
        str(p.relative_to(static)): _digest(p) for p in static.rglob("*") if p.is_file()
    }

    urls: dict[tuple[str, str | None], str] = {}

    def asset(filename: str) -> str:
        # Every page links the same few files: build each URL once per script root.
        key = (filename, request.script_root if has_request_context() else None)
        url = urls.get(key)
        if url is None:
            digest = manifest.get(filename)
            if digest is None:
                raise KeyError(f"unknown static file {filename}")
            stem, dot, suffix = filename.rpartition(".")
            url = urls[key] = url_for("assets", filename=f"{stem}.{digest}.{suffix}")
        return url

    def serve(filename: str):
        match = _HASHED.match(filename)
        if not match:
            abort(404)
        original = match["stem"] + match["suffix"]
        if manifest.get(original) != match["digest"]:
            abort(404)
        response = send_from_directory(static, original, max_age=ONE_YEAR)
        response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR}, immutable"
        return response

    app.add_url_rule("/assets/<path:filename>", "assets", serve)
    app.jinja_env.globals["asset"] = asset
    app.extensions["asset_manifest"] = manifest
