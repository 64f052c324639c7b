"""gzip for pages and text assets: phones are on crowded venue Wi-Fi (DESIGN, "From the first
line of UI"). Measured in Chromium (`python -m bench --scenarios weight`): the phone page's
first load is about 106 KB uncompressed, over the 100 KB target, and a repeat visit is
nothing but the page itself (10.5 KB; the assets come from the cache, their URLs carry a
content hash and a one-year max-age). gzip brings both well under target.

Static files are compressed once per file version and kept in memory (a few files, tens of
KB); pages are compressed per response (about 10 KB: well under a millisecond).
"""

from __future__ import annotations

import gzip
from functools import lru_cache

from flask import Flask, request

TYPES = {
    "text/html",
    "text/css",
    "text/javascript",
    "application/javascript",
    "application/json",
    "image/svg+xml",
    "text/plain",
    "text/csv",
}
MIN_BYTES = 1024  # below this, the gzip header costs more than it saves


@lru_cache(maxsize=128)  # every static file of a release (about 40 with the browser modules)
def _static_gzip(path: str, etag: str | None, body: bytes) -> bytes:
    """A static file's compressed body, per path and version (the body is part of the key only
    so that a changed file can never be served stale)."""
    return gzip.compress(body, compresslevel=9, mtime=0)


def wants_gzip() -> bool:
    return any(
        enc.strip().split(";")[0] == "gzip"
        for enc in request.headers.get("Accept-Encoding", "").split(",")
    )


def init_app(app: Flask) -> None:
    @app.after_request
    def gzip_response(resp):
        if (
            request.method == "HEAD"
            or resp.status_code != 200
            or resp.mimetype not in TYPES
            or "Content-Encoding" in resp.headers
            or not wants_gzip()
        ):
            return resp
        resp.vary.add("Accept-Encoding")
        resp.direct_passthrough = False  # static files: read the body to compress it
        body = resp.get_data()
        if len(body) < MIN_BYTES:
            return resp
        if request.endpoint == "static":
            etag, _weak = resp.get_etag()
            packed = _static_gzip(request.path, etag, body)
            if etag:  # another representation of the same file: a weak validator
                resp.set_etag(etag, weak=True)
        else:
            packed = gzip.compress(body, compresslevel=6)
        resp.set_data(packed)
        resp.headers["Content-Encoding"] = "gzip"
        return resp
