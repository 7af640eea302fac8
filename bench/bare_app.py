"""The bare baseline of bench/pages.py: a Flask app that answers "ok" and serves stored pages.

`BENCH_BARE_PAGES` names a folder of `<name>.html` files (the app's own pages, fetched by the
bench); `/page/<name>` returns one as it is, `/ok` returns "ok". No database, no templates, no
session: what a Flask response of the same size costs on the same gunicorn settings.
"""

import os
from pathlib import Path

from flask import Flask, Response

app = Flask(__name__)
PAGES = {path.stem: path.read_bytes()
         for path in Path(os.environ.get("BENCH_BARE_PAGES", "/nonexistent")).glob("*.html")}


@app.route("/ok")
def ok():
    """The cheapest Flask response."""
    return "ok"


@app.route("/page/<name>")
def page(name: str):
    """A stored page, byte for byte."""
    return Response(PAGES[name], mimetype="text/html")
