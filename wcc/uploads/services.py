"""Checking, cleaning and storing uploads.

Only JPEG, PNG and WebP photos and PDF documents are accepted, judged by their
content, never by their name or the browser's content type. Photos are decoded
and re-encoded by Pillow, which drops every byte that is not picture: EXIF
(including GPS position), comments, and anything appended. A file that carries
markup a browser would run (an image/HTML polyglot, an SVG, an HTML page) is
refused outright, as is a PDF with scripts or launch actions.

A file is on disk under its key only once the transaction that stored its row
has committed: it is written under a temporary name first (``.pending/``),
moved into place after the commit, and deleted when the transaction rolls back
(or the savepoint that stored it did). Deleting a stored file likewise removes
it from disk only after the commit. ``flask sweep-uploads`` removes files no row
points to (left by a crash between commit and move, or from before this rule).
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import logging
import os
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app, send_file
from flask_babel import gettext as _
from flask_login import current_user
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import event, inspect
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage

from wcc.errors import ServiceError
from wcc.extensions import db
from wcc.i18n.text import clean_line
from wcc.images import TooManyPixels, decodable, decode_budget, decode_turn, load_within_budget, resized
from wcc.uploads.models import StoredFile

IMAGE_FORMATS = {"JPEG": ("image/jpeg", "jpg"), "PNG": ("image/png", "png"), "WEBP": ("image/webp", "webp")}
PDF_TYPE = "application/pdf"
THUMBNAIL_EDGE = 480
DEFAULT_MAX_PIXELS = 40_000_000

# Markup a browser would interpret if it were ever sniffed as HTML or SVG. Every
# pattern is long enough (6+ bytes) that compressed picture data almost never
# contains it by chance.
_MARKUP = re.compile(
    rb"<(script|iframe|object|embed)|<(html|body|svg|meta)[\s>/]|javascript:|\bon(error|load)\s*=",
    re.IGNORECASE)
# PDF features that run code, carry other files or open programs and web pages, read with a
# real parser (pikepdf, on qpdf) in every object, object streams included.
_PDF_ACTIVE_KEYS = frozenset({"/JS", "/JavaScript", "/EmbeddedFiles", "/EmbeddedFile", "/RichMedia", "/XFA",
                              "/Launch"})
_PDF_ACTIVE_ACTIONS = frozenset({"/JavaScript", "/Launch", "/SubmitForm", "/ImportData", "/GoToR", "/GoToE",
                                 "/RichMediaExecute", "/Rendition"})
_PDF_LINK_ACTIONS = frozenset({"/URI"})
#: Dictionaries and arrays looked at in one PDF at most (a bound on work per upload).
MAX_PDF_NODES = 500_000


def _kind_of(head: bytes) -> str | None:
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n") \
            or (head[:4] == b"RIFF" and head[8:12] == b"WEBP"):
        return "image"
    if head.startswith(b"%PDF-"):
        return "pdf"
    return None


def _read_limited(upload: FileStorage) -> bytes:
    limit = current_app.config["MAX_UPLOAD_BYTES"]
    data = upload.stream.read(limit + 1)
    if len(data) > limit:
        raise ServiceError(_("“%(name)s” is larger than %(mb)s MB.", name=_display_name(upload),
                            mb=limit // (1024 * 1024)))
    if not data:
        raise ServiceError(_("“%(name)s” is empty.", name=_display_name(upload)))
    return data


def _display_name(upload: FileStorage) -> str:
    return clean_original_name(upload.filename or "")


def clean_original_name(name: str) -> str:
    """The file's own name without folders or control characters, for downloads."""
    base = os.path.basename(name.replace("\\", "/"))
    base = clean_line(base).replace('"', "'")
    return base[:200] or "file"


def _clean_image(data: bytes, name: str) -> tuple[bytes, bytes, str, str, int, int]:
    """Decode, check and re-encode an image; returns (file, thumbnail, type, ext, w, h).

    Memory is bounded before anything is decoded: over ``MAX_IMAGE_PIXELS`` an image is
    refused; over ``IMAGE_DECODE_PIXELS`` a JPEG is decoded at 1/2, 1/4 or 1/8 of its size
    (the decoder scales while it reads, so the full-size picture never exists) and a PNG or
    WebP, which cannot be decoded smaller, is refused. Pillow keeps 4 bytes per colour pixel,
    so the decoded picture takes at most 4 × ``IMAGE_DECODE_PIXELS`` bytes, and the pipeline
    holds at most one more picture of that size at a time (a rotation or a change of colour
    mode). One decode at a time per process (``decode_turn``). The budget and the turn are
    ``wcc.images``', shared with the printing of documents.
    """
    max_pixels = current_app.config.get("MAX_IMAGE_PIXELS", DEFAULT_MAX_PIXELS)
    budget = decode_budget()
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            width, height = probe.size
            if fmt not in IMAGE_FORMATS:
                raise ServiceError(_("“%(name)s” is not a JPEG, PNG or WebP photo.", name=name))
            if width * height > max_pixels:
                raise ServiceError(_("“%(name)s” has too many pixels (at most %(mp)s megapixels).",
                                    name=name, mp=max_pixels // 1_000_000))
            if fmt != "JPEG" and not decodable(fmt, width, height, budget):
                raise ServiceError(_("“%(name)s” has too many pixels for a PNG or WebP photo (at most "
                                     "%(mp)s megapixels). Save it as JPEG, or at a smaller size, and "
                                     "upload that.", name=name, mp=budget // 1_000_000))
            probe.verify()
        with decode_turn(), Image.open(io.BytesIO(data)) as image:
            try:
                load_within_budget(image, budget=budget)
            except TooManyPixels as exc:
                raise ServiceError(_("“%(name)s” has too many pixels (at most %(mp)s megapixels).",
                                    name=name, mp=budget // 1_000_000)) from exc
            ImageOps.exif_transpose(image, in_place=True)
            if image.mode not in ("RGB", "RGBA", "L", "LA"):
                transparent = "A" in image.getbands() or "transparency" in image.info
                image = image.convert("RGBA" if transparent else "RGB")
            content_type, ext = IMAGE_FORMATS[fmt]
            out = io.BytesIO()
            if fmt == "JPEG":
                image.save(out, "JPEG", quality=88, optimize=True)  # RGB or L by now
            elif fmt == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
            thumb_out = io.BytesIO()
            _thumbnail(image).save(thumb_out, "JPEG", quality=80, optimize=True)
            return out.getvalue(), thumb_out.getvalue(), content_type, ext, image.width, image.height
    except ServiceError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise ServiceError(_("“%(name)s” is damaged or is not really a photo.", name=name)) from exc


def _thumbnail(image: Image.Image) -> Image.Image:
    """An RGB (or grey) copy at most ``THUMBNAIL_EDGE`` pixels on its longer side, never enlarged,
    resized straight from the picture (``wcc.images.resized``: no full-size copy)."""
    scale = min(1.0, THUMBNAIL_EDGE / max(image.size))
    return resized(image, (max(1, round(image.width * scale)), max(1, round(image.height * scale))))


def _check_pdf(data: bytes, name: str) -> None:
    import pikepdf

    damaged = _("“%(name)s” is damaged or is not really a PDF document.", name=name)
    if b"%%EOF" not in data[-2048:]:
        raise ServiceError(damaged)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            found = _pdf_active_content(pdf)
    except pikepdf.PasswordError:
        raise ServiceError(_("“%(name)s” is protected with a password; attach a copy without one.",
                             name=name)) from None
    except pikepdf.PdfError:
        raise ServiceError(damaged) from None
    if found == "link":
        raise ServiceError(_("“%(name)s” contains links that open web pages, which are not accepted in "
                             "attached PDFs. Save a copy without links and attach that.", name=name))
    if found is not None:
        raise ServiceError(_("“%(name)s” contains scripts or embedded programs, which are not accepted.",
                             name=name))


def _pdf_active_content(pdf) -> str | None:
    """"active" (a script, a launch, an embedded file, a form that submits), "link" (a web
    link), or None, from every object of ``pdf``: each indirect object (those inside object
    streams included) and the dictionaries and arrays written inside them."""
    import pikepdf

    budget = MAX_PDF_NODES
    link = False
    stack = list(pdf.objects)
    while stack:
        node = stack.pop()
        budget -= 1
        if budget < 0:
            return "active"  # too complex to check: refused like active content
        if isinstance(node, pikepdf.Dictionary | pikepdf.Stream):
            keys = set(node.keys())
            if keys & _PDF_ACTIVE_KEYS or (node.get("/Type") == "/Filespec" and "/EF" in keys):
                return "active"
            action = node.get("/S")
            if action in _PDF_ACTIVE_ACTIONS:
                return "active"
            link = link or action in _PDF_LINK_ACTIONS
            children = (node[key] for key in keys)
        elif isinstance(node, pikepdf.Array):
            children = iter(node)
        else:
            continue
        # Indirect objects are on the list already; only what is written inside this one is added.
        stack.extend(c for c in children
                     if isinstance(c, pikepdf.Dictionary | pikepdf.Array | pikepdf.Stream) and not c.is_indirect)
    return "link" if link else None


log = logging.getLogger(__name__)

PENDING_DIR = ".pending"
#: Files kept with a form that came back with an error (``wcc.uploads.staging``); swept by their own age.
STAGED_DIR = ".staged"


def upload_root() -> Path:
    return Path(current_app.config["UPLOAD_DIR"])


def _path(key: str) -> Path:
    return upload_root() / key[:2] / key


@dataclass
class _FileChanges:
    """What the session's transaction will do on disk when it commits."""

    stored: list[tuple[StoredFile, list[tuple[Path, Path]]]] = field(default_factory=list)
    deleted: list[tuple[StoredFile, list[Path]]] = field(default_factory=list)


_INFO_KEY = "wcc_file_changes"


def _changes(session: Session) -> _FileChanges:
    return session.info.setdefault(_INFO_KEY, _FileChanges())


def _write_pending(key: str, data: bytes) -> tuple[Path, Path]:
    """Write ``data`` under a temporary name; returns (temporary path, final path).

    A file system that refuses the write (full, read-only) is a ServiceError with status 503:
    nothing of the request is kept, the partial file is removed, and the user may try again.
    """
    pending = upload_root() / PENDING_DIR
    tmp = pending / f"{key}.{secrets.token_hex(4)}.part"
    try:
        pending.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        log.error("the upload folder refused a file: %s", exc)
        raise ServiceError(storage_unavailable(), status=503) from exc
    return tmp, _path(key)


def storage_unavailable() -> str:
    """What the user reads when the upload folder refuses a write (full, read-only)."""
    return _("The file could not be stored: the server's storage is not available. Nothing "
             "has been saved; please try again later.")


def _write_all(items: list[tuple[str, bytes]]) -> list[tuple[Path, Path]]:
    """``_write_pending`` for several files: all of them, or none (the ones written are removed)."""
    moves: list[tuple[Path, Path]] = []
    try:
        for key, data in items:
            moves.append(_write_pending(key, data))
    except ServiceError:
        for tmp, _final in moves:
            tmp.unlink(missing_ok=True)
        raise
    return moves


@event.listens_for(Session, "after_commit")
def _files_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint released: the real commit is still to come
    changes: _FileChanges | None = session.info.pop(_INFO_KEY, None)
    if changes is None:
        return
    for stored, moves in changes.stored:
        # A row stored inside a savepoint that was rolled back is no longer persistent.
        kept = inspect(stored).persistent
        for tmp, final in moves:
            if kept:
                final.parent.mkdir(parents=True, exist_ok=True)
                tmp.replace(final)
            else:
                tmp.unlink(missing_ok=True)
    for stored, paths in changes.deleted:
        if inspect(stored).was_deleted:
            for path in paths:
                path.unlink(missing_ok=True)


@event.listens_for(Session, "after_transaction_end")
def _files_after_rollback(session: Session, transaction) -> None:
    # The outermost transaction ended without a commit (rollback or close): nothing it
    # stored may stay, nothing it deleted goes.
    if transaction.parent is not None:
        return
    changes: _FileChanges | None = session.info.pop(_INFO_KEY, None)
    if changes is None:
        return
    for _stored, moves in changes.stored:
        for tmp, _final in moves:
            tmp.unlink(missing_ok=True)


def store_upload(upload: FileStorage, *, allow: tuple[str, ...] = ("image", "pdf"),
                 field: str = "file") -> StoredFile:
    """Check an uploaded file, clean it and store it.

    A refused file raises ServiceError (422 on ``field``) saying why. ``allow``
    limits the kinds accepted ("image", "pdf"). The returned row is added to the
    session (flushed), so it rolls back with the request; the file is in place once it commits.
    """
    try:
        return _store(upload, allow)
    except ServiceError as exc:
        exc.field = exc.field or field
        raise


@dataclass
class CheckedFile:
    """An upload that passed the checks, cleaned, not yet stored: what ``store_checked`` saves."""

    name: str
    kind: str
    content_type: str
    ext: str
    data: bytes
    thumbnail: bytes | None = None
    width: int | None = None
    height: int | None = None

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def check_upload(upload: FileStorage, *, allow: tuple[str, ...] = ("image", "pdf"),
                 field: str = "file") -> CheckedFile:
    """Read an uploaded file and run every check on it, cleaning photos; nothing is stored.

    A refused file raises ServiceError (422 on ``field``) saying why.
    """
    try:
        return _check(upload, allow)
    except ServiceError as exc:
        exc.field = exc.field or field
        raise


def _check(upload: FileStorage, allow: tuple[str, ...]) -> CheckedFile:
    name = _display_name(upload)
    data = _read_limited(upload)
    kind = _kind_of(data[:16])
    if kind is None or kind not in allow:
        if allow == ("image",):
            raise ServiceError(_("“%(name)s” is not a JPEG, PNG or WebP photo.", name=name))
        if allow == ("pdf",):
            raise ServiceError(_("“%(name)s” is not a PDF document.", name=name))
        raise ServiceError(_("“%(name)s” is not accepted: upload JPEG, PNG or WebP photos or PDF documents.",
                            name=name))
    if _MARKUP.search(data):
        raise ServiceError(_("“%(name)s” contains web page code hidden in the file and was refused.",
                            name=name))
    if kind == "image":
        data, thumbnail, content_type, ext, width, height = _clean_image(data, name)
        return CheckedFile(name, kind, content_type, ext, data, thumbnail, width, height)
    _check_pdf(data, name)
    return CheckedFile(name, kind, PDF_TYPE, "pdf", data)


def _store(upload: FileStorage, allow: tuple[str, ...]) -> StoredFile:
    return store_checked(_check(upload, allow))


def store_checked(checked: CheckedFile) -> StoredFile:
    """Store a file that has passed ``check_upload`` (now, or when it was kept with a form)."""
    key = f"{secrets.token_hex(16)}.{checked.ext}"
    thumbnail_key = f"{secrets.token_hex(16)}.jpg" if checked.thumbnail is not None else None
    moves = _write_all([(key, checked.data)] + ([(thumbnail_key, checked.thumbnail)] if thumbnail_key else []))
    stored = StoredFile(
        key=key, thumbnail_key=thumbnail_key, kind=checked.kind, content_type=checked.content_type,
        original_name=checked.name, size=len(checked.data), width=checked.width, height=checked.height,
        sha256=checked.sha256,
        uploaded_by_id=current_user.id if current_user and current_user.is_authenticated else None)
    db.session.add(stored)
    _changes(db.session()).stored.append((stored, moves))
    db.session.flush()
    return stored


def store_bytes(data: bytes, filename: str, *, allow: tuple[str, ...] = ("image", "pdf")) -> StoredFile:
    """``store_upload`` for bytes made in code (demo data, imports)."""
    return store_upload(FileStorage(stream=io.BytesIO(data), filename=filename), allow=allow)


def store_generated(data: bytes, filename: str, content_type: str, *, user_id: int | None = None) -> StoredFile:
    """Store a file the app made itself (a PDF it rendered): no upload checks, the same storage."""
    ext = "pdf" if content_type == PDF_TYPE else "bin"
    key = f"{secrets.token_hex(16)}.{ext}"
    moves = [_write_pending(key, data)]
    stored = StoredFile(key=key, kind="pdf" if ext == "pdf" else "file", content_type=content_type,
                        original_name=clean_original_name(filename), size=len(data),
                        sha256=hashlib.sha256(data).hexdigest(), uploaded_by_id=user_id)
    db.session.add(stored)
    _changes(db.session()).stored.append((stored, moves))
    db.session.flush()
    return stored


def send_stored(stored: StoredFile, *, thumbnail: bool = False, download: bool = False):
    """Serve a stored file. The caller must have checked permission already.

    Photos are shown inline, PDFs offered as downloads unless ``download`` is
    False for images; every response forbids sniffing and scripts.
    """
    key = stored.thumbnail_key if thumbnail and stored.thumbnail_key else stored.key
    content_type = "image/jpeg" if thumbnail and stored.thumbnail_key else stored.content_type
    as_attachment = download or stored.kind == "pdf"
    response = send_file(_path(key), mimetype=content_type, as_attachment=as_attachment,
                         download_name=stored.original_name, conditional=True, max_age=3600)
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response.cache_control.private = True
    response.cache_control.public = False
    return response


def delete_stored(stored: StoredFile) -> None:
    """Remove the row, and its files once the transaction commits."""
    paths = [_path(key) for key in (stored.key, stored.thumbnail_key) if key]
    _changes(db.session()).deleted.append((stored, paths))
    db.session.delete(stored)


def unreferenced_files(pending_older_than: float = 3600.0) -> list[Path]:
    """Files under the upload folder that no stored file's row points to.

    Temporary files of uploads whose transaction may still be running are left
    alone; those older than ``pending_older_than`` seconds were abandoned. The
    folder is listed before the rows are read: a file is moved into place only
    after its row committed, so a file listed has its row among those read.
    """
    import time

    from sqlalchemy import select

    root = upload_root()
    if not root.is_dir():
        return []
    cutoff = time.time() - pending_older_than
    listed = [path for path in sorted(root.rglob("*"))
              if path.is_file() and path.relative_to(root).parts[0] != STAGED_DIR]
    known = set()
    for key, thumbnail_key in db.session.execute(select(StoredFile.key, StoredFile.thumbnail_key)):
        known.update(k for k in (key, thumbnail_key) if k)
    found = []
    for path in listed:
        if path.parent.name == PENDING_DIR:
            if path.stat().st_mtime < cutoff:
                found.append(path)
        elif path.name not in known:
            found.append(path)
    return found
