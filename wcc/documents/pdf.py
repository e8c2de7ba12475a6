"""PDF rendering with WeasyPrint, from the same Jinja templates as the pages.

WeasyPrint needs the Pango library (Debian: ``libpango-1.0-0 libpangoft2-1.0-0
libharfbuzz-subset0``). Where it is missing the app keeps running and says so:
``pdf_unavailable_reason()`` gives the translated sentence, and ``render_pdf``
raises ``PdfUnavailable`` with it.

Rendering never reaches the network. Every URL in the HTML is answered by
``LocalFetcher``: ``/static/...`` from the app's static folder (fonts, the
letterhead's logo), ``/_print/photo/<id>/<mm>`` from the upload store, each
photo down-sampled to at most ``PRINT_DPI`` at the width it is printed at.
Anything else is refused.

Photos are decoded under the rule uploads follow (``wcc.images``): one at a time per
process, never with more than ``IMAGE_DECODE_PIXELS`` pixels, a JPEG by its decoder at the
smallest scale the print size (and the budget) allows. A PNG or WebP stored before the budget
existed (up to ``MAX_IMAGE_PIXELS``) cannot be decoded smaller, so it is not printed: the
documents put a translated note in its place (``photo_printable``), and should such a photo
still be asked for, the renderer refuses it (the PDF shows the caption instead).
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from flask import current_app
from flask_babel import gettext as _
from PIL import Image

from wcc.images import decodable, decode_turn, load_within_budget, resized

#: Photos are never printed with more detail than this.
PRINT_DPI = 300
JPEG_QUALITY = 82
BASE_URL = "http://wcc.invalid/"

_PHOTO = re.compile(r"^/_print/photo/(\d+)/(\d+)$")


class PdfUnavailable(RuntimeError):
    """PDF rendering is not installed on this machine; the message says what to install."""


class PdfTooLong(ValueError):
    """The document has more pages than may be rendered inside a request."""

    def __init__(self, pages: int, limit: int):
        from wcc.i18n.formatting import format_number

        super().__init__(_("This document would have %(pages)s pages; at most %(limit)s can be made at once. "
                           "Choose a shorter span or fewer photos.", pages=format_number(pages, 0),
                           limit=format_number(limit, 0)))
        self.pages = pages
        self.limit = limit


@dataclass(frozen=True)
class RenderedPdf:
    data: bytes
    pages: int


@lru_cache(maxsize=1)
def _weasyprint_error() -> str | None:
    try:
        import weasyprint  # noqa: F401
    except (ImportError, OSError) as exc:  # OSError: the Python package is there, Pango is not
        return str(exc)
    return None


def pdf_unavailable_reason() -> str | None:
    """None when PDFs can be made; otherwise a sentence for the user, in their language."""
    if current_app.config.get("PDF_DISABLED") or _weasyprint_error() is not None:
        return _("PDF files cannot be made on this server: the WeasyPrint renderer or its Pango "
                 "library is not installed. Ask the administrator to install them (see the README), "
                 "or use your browser's Print command on this page.")
    return None


def photo_url(stored_id: int, width_mm: int) -> str:
    """The URL a print template uses for a photo printed ``width_mm`` wide."""
    return f"/_print/photo/{int(stored_id)}/{int(width_mm)}"


_FORMATS = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}


def photo_printable(stored) -> bool:
    """Whether a stored photo can be printed: decoded within the budget (``wcc.images``).

    False only for a PNG or WebP over ``IMAGE_DECODE_PIXELS``, which uploads refuse now but
    older photos may be; a document prints a note in its place."""
    if stored is None or not stored.width or not stored.height:
        return True  # no size recorded: ``downsample`` reads the header and decides
    return decodable(_FORMATS.get(stored.content_type), stored.width, stored.height)


def downsample(path: Path, width_mm: int, *, wait_limit: bool = True) -> bytes:
    """A JPEG of the photo at most ``PRINT_DPI`` dots per inch at ``width_mm``.

    Decoded in this process's decode turn (``wait_limit``: as a request waits for it; without, as
    a background job does) and within the budget; raises ``wcc.images.TooManyPixels`` for a
    picture that cannot be (a large PNG or WebP), ServiceError (503) when the wait is too long."""
    max_px = max(64, round(width_mm / 25.4 * PRINT_DPI))
    with decode_turn(wait_limit=wait_limit), Image.open(path) as image:
        load_within_budget(image, wanted=(max_px, max_px), mode="RGB")
        size = image.size
        if image.width > max_px:
            size = (max_px, max(1, round(image.height * max_px / image.width)))
        small = resized(image, size, Image.Resampling.LANCZOS)
        if small.mode != "RGB":
            small = small.convert("RGB")
        out = io.BytesIO()
        small.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True, progressive=True)
        return out.getvalue()


def _fetcher_class():
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class LocalFetcher(URLFetcher):
        """Answers static files and the photos the document was allowed to show; nothing else."""

        def __init__(self, static_folder: str, upload_dir: str, photos: dict[int, str], resolve=None,
                     wait_limit: bool = True):
            super().__init__()
            self.static_folder = Path(static_folder).resolve()
            self.upload_dir = Path(upload_dir)
            self.photos = photos
            self.resolve = resolve
            self.wait_limit = wait_limit
            self.busy = None  # the ServiceError of a photo that waited too long for its turn

        def photo(self, path: Path, width_mm: int) -> bytes:
            from wcc.errors import ServiceError

            try:
                return downsample(path, width_mm, wait_limit=self.wait_limit)
            except ServiceError as exc:
                self.busy = self.busy or exc  # WeasyPrint would only leave the photo out
                raise

        def fetch(self, url, headers=None):
            if url.startswith("data:"):
                return super().fetch(url, headers)
            if not url.startswith(BASE_URL):
                raise ValueError(f"not fetched while printing: {url[:80]}")
            path = "/" + url[len(BASE_URL):].split("?", 1)[0].split("#", 1)[0]
            match = _PHOTO.match(path)
            if match:
                stored_id, width_mm = int(match.group(1)), int(match.group(2))
                key = self.photos.get(stored_id)
                if key is None:
                    raise ValueError("photo not part of this document")
                data = self.photo(self.upload_dir / key[:2] / key, width_mm)
                return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
            if path.startswith("/static/"):
                from urllib.parse import unquote

                file = (self.static_folder / unquote(path[len("/static/"):])).resolve()
                if self.static_folder not in file.parents or not file.is_file():
                    raise ValueError("no such static file")
                return URLFetcherResponse(url, file.read_bytes(), {"Content-Type": _guess_type(file.name)})
            found = self.resolve(path) if self.resolve is not None else None
            if found is not None:
                data = self.photo(found, 120)  # no page prints a photo wider than 12 cm
                return URLFetcherResponse(url, data, {"Content-Type": "image/jpeg"})
            raise ValueError(f"not fetched while printing: {path[:80]}")

    return LocalFetcher


def _guess_type(name: str) -> str:
    import mimetypes

    return {".woff2": "font/woff2", ".svg": "image/svg+xml"}.get(Path(name).suffix) \
        or mimetypes.guess_type(name)[0] or "application/octet-stream"


def render_pdf(html: str, *, photos: dict[int, str] | None = None, max_pages: int | None = None,
               resolve=None, background: bool = False) -> RenderedPdf:
    """The PDF of ``html`` (a whole page with its print stylesheet).

    ``photos`` maps the stored-file ids the document may show to their keys;
    ``resolve(path)`` may answer other local paths with a file (or None to refuse).
    ``background``: a job, which waits for its turn to decode each photo as long as it takes;
    a request waits at most ``IMAGE_DECODE_WAIT_SECONDS`` (then ServiceError 503, try again).
    Raises ``PdfUnavailable`` without WeasyPrint, ``PdfTooLong`` past ``max_pages``.
    """
    reason = pdf_unavailable_reason()
    if reason:
        raise PdfUnavailable(reason)
    from weasyprint import HTML

    fetcher = _fetcher_class()(current_app.static_folder, current_app.config["UPLOAD_DIR"], photos or {}, resolve,
                               wait_limit=not background)
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=fetcher).render()
    if fetcher.busy is not None:
        raise fetcher.busy
    pages = len(document.pages)
    if max_pages is not None and pages > max_pages:
        raise PdfTooLong(pages, max_pages)
    return RenderedPdf(document.write_pdf(), pages)
