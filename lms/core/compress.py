"""Gzip compression of text responses for clients that accept it (weak rural connections)."""

import gzip

from flask import request

COMPRESSIBLE = ("text/", "application/json", "application/javascript", "image/svg+xml")
MIN_SIZE = 500


def _compressible(response) -> bool:
    if response.status_code != 200 or "Content-Encoding" in response.headers:
        return False
    if response.is_streamed and not response.direct_passthrough:
        return False
    mimetype = response.mimetype or ""
    return mimetype.startswith(COMPRESSIBLE)


def compress_response(response):
    """Gzip the body of a text response when the request's Accept-Encoding allows it."""
    if not _compressible(response):
        return response
    response.vary.add("Accept-Encoding")
    if request.accept_encodings["gzip"] <= 0:
        return response
    # File responses (static assets) stream from disk; read them, then close the file.
    source = response.response
    response.direct_passthrough = False
    data = response.get_data()
    if hasattr(source, "close"):
        source.close()
    if len(data) < MIN_SIZE:
        return response
    response.set_data(gzip.compress(data, compresslevel=6, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag:
        response.set_etag(f"{etag}-gzip", weak=weak)
    return response


def init_app(app) -> None:
    """Register the after-request hook."""
    app.after_request(compress_response)
