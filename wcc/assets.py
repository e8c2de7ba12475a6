"""Static files served compressed: Brotli or gzip variants made once, kept on disk.

Browsers on slow office networks download plotly.js, Bootstrap and the map
files once (fingerprinted URLs are cached for a year); the first download is
Brotli-compressed where the browser accepts it. Variants are written next to
the instance folder the first time a file is asked for (or ahead of time by
``flask compress-assets``), so no worker keeps them in memory.
"""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
import os
from pathlib import Path

import brotli
import click
from flask import Flask, current_app, request, send_file
from flask.cli import with_appcontext

COMPRESSIBLE = {".css", ".js", ".json", ".geojson", ".svg", ".txt", ".map", ".html"}
MIN_SIZE = 1024
ENCODINGS = (("br", ".br"), ("gzip", ".gz"))

mimetypes.add_type("application/geo+json", ".geojson")


def _cache_dir() -> Path:
    return Path(current_app.config["INSTANCE_DIR"]) / "static-cache"


def variant_path(source: Path, encoding: str) -> Path:
    """Where the compressed copy of ``source`` lives; made if missing or stale."""
    stat = source.stat()
    digest = hashlib.sha256(f"{source}:{stat.st_mtime_ns}:{stat.st_size}".encode()).hexdigest()[:24]
    suffix = dict(ENCODINGS)[encoding]
    target = _cache_dir() / f"{source.name}.{digest}{suffix}"
    if not target.exists():
        data = source.read_bytes()
        packed = brotli.compress(data, quality=11) if encoding == "br" else gzip.compress(data, 9, mtime=0)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.with_name(f"{target.name}.{os.getpid()}.part")
        tmp.write_bytes(packed)
        tmp.replace(target)
    return target


def compressible(path: Path) -> bool:
    return path.suffix in COMPRESSIBLE and path.stat().st_size >= MIN_SIZE


class WccFlask(Flask):
    """Flask, with one database transaction per request, and static files answered by their
    compressed variant when accepted."""

    def dispatch_request(self):
        """The view's answer, once its transaction is committed (or rolled back for an error answer).

        The commit happens here, inside Flask's error handling and before the answer
        is sent: a commit that fails is answered by the error handlers, never by the
        redirect the view meant as success (see ``wcc.transaction``).
        """
        from wcc.transaction import end_transaction

        response = self.make_response(super().dispatch_request())
        end_transaction(response.status_code)
        return response

    def send_static_file(self, filename: str):
        response = super().send_static_file(filename)
        source = Path(self.static_folder, filename)
        if response.status_code != 200 or not source.is_file() or not compressible(source):
            return response
        accepted = request.accept_encodings
        for encoding, _suffix in ENCODINGS:
            if accepted[encoding]:
                response.close()
                mimetype = mimetypes.guess_type(filename)[0] or "application/octet-stream"
                compressed = send_file(variant_path(source, encoding), mimetype=mimetype,
                                       max_age=self.get_send_file_max_age(filename), conditional=True,
                                       etag=True)
                compressed.headers["Content-Encoding"] = encoding
                compressed.vary.add("Accept-Encoding")
                return compressed
        response.vary.add("Accept-Encoding")
        return response


@click.command("compress-assets")
@with_appcontext
def compress_assets() -> None:
    """Make the Brotli and gzip copies of the static files ahead of the first visitor."""
    root = Path(current_app.static_folder)
    files = [p for p in sorted(root.rglob("*")) if p.is_file() and compressible(p)]
    with click.progressbar(files, label="compressing static files",
                           item_show_func=lambda p: p.name if p else "") as bar:
        for path in bar:
            for encoding, _suffix in ENCODINGS:
                variant_path(path, encoding)


def init_assets(app: Flask) -> None:
    app.cli.add_command(compress_assets)
