"""Decoding photos within a memory bound, one at a time per process: the one rule that photo
uploads (``wcc.uploads.services``) and printed documents (``wcc.documents.pdf``) both follow.

- **The budget**: no picture is decoded with more than ``IMAGE_DECODE_PIXELS`` pixels (12.6 MP,
  a 12-megapixel phone photo; Pillow keeps 4 bytes a colour pixel, so about 50 MB). A JPEG over
  it is decoded at 1/2, 1/4 or 1/8 of its size by the decoder itself (the full-size picture never
  exists); a PNG or WebP cannot be decoded smaller, so over the budget it is not decoded at all
  (``decodable`` says so from the header; ``load_within_budget`` raises ``TooManyPixels``).
- **The turn**: one decode at a time per process (``decode_turn``), so the bound holds per
  process, not per request or job. A request waits at most ``IMAGE_DECODE_WAIT_SECONDS`` for its
  turn (then ServiceError 503, "try again"); a background job may wait as long as it takes. A
  thread that already has the turn (a document rendered inside a decode) keeps it: no deadlock.
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Iterator

from flask import current_app
from flask_babel import gettext as _
from PIL import Image

#: A 12-megapixel phone photo (4032 × 3024) at full size: about 50 MB decoded.
DEFAULT_DECODE_PIXELS = 12_600_000
#: The scales a JPEG decoder can decode at, as divisors of each side.
_JPEG_SCALES = (1, 2, 4, 8)


class TooManyPixels(ValueError):
    """The picture cannot be decoded within the budget (a PNG or WebP over it)."""


def decode_budget() -> int:
    """The most pixels a picture is decoded with (``IMAGE_DECODE_PIXELS``)."""
    return current_app.config.get("IMAGE_DECODE_PIXELS", DEFAULT_DECODE_PIXELS)


def _pixels_at(width: int, height: int, scale: int) -> int:
    return -(-width // scale) * -(-height // scale)


def decodable(fmt: str | None, width: int, height: int, budget: int | None = None) -> bool:
    """Whether a picture of this format and size can be decoded within the budget."""
    budget = decode_budget() if budget is None else budget
    smallest = _JPEG_SCALES[-1] if fmt == "JPEG" else 1
    return _pixels_at(width, height, smallest) <= budget


def _jpeg_scale(width: int, height: int, budget: int, wanted: tuple[int, int] | None) -> int:
    """The scale to decode a JPEG at: as small as ``wanted`` allows, and never over ``budget``."""
    scale = 1
    if wanted is not None:
        fits = min(width // max(1, wanted[0]), height // max(1, wanted[1]))
        scale = max(s for s in _JPEG_SCALES if s <= max(1, fits))
    within = next((s for s in _JPEG_SCALES if _pixels_at(width, height, s) <= budget), _JPEG_SCALES[-1])
    return max(scale, within)


def load_within_budget(image: Image.Image, *, wanted: tuple[int, int] | None = None, mode: str | None = None,
                       budget: int | None = None) -> None:
    """Decode an opened (not yet loaded) picture within the budget, in place.

    A JPEG is decoded at the smallest of 1/1, 1/2, 1/4, 1/8 that is still at least ``wanted``
    (when given) and within the budget; ``mode`` is passed to the JPEG decoder. Anything else
    over the budget raises ``TooManyPixels`` before a byte of it is decoded. Call it in
    ``decode_turn()``, and keep the turn while the decoded picture is in use.
    """
    budget = decode_budget() if budget is None else budget
    width, height = image.size
    if image.format == "JPEG":
        scale = _jpeg_scale(width, height, budget, wanted)
        if scale > 1 or mode is not None:
            image.draft(mode, (max(1, width // scale), max(1, height // scale)))
    if image.width * image.height > budget:
        raise TooManyPixels(f"{width} × {height} {image.format} is over the decode budget of {budget} pixels")
    image.load()


def resized(image: Image.Image, size: tuple[int, int],
            resample: Image.Resampling = Image.Resampling.BICUBIC) -> Image.Image:
    """An RGB (or grey) copy of ``image`` at ``size``, without transparency, never through a
    full-size copy of an RGB, grey or transparent picture.

    Resized straight from the picture (reduced by whole factors first). Pillow resizes a picture
    with transparency through a full-size premultiplied copy, so the colour bands of such a
    picture are resized one at a time, dropping transparency as a conversion to RGB would. Other
    modes (palette, CMYK) are converted first: one full-size copy."""
    if image.mode not in ("RGB", "L", "RGBA", "LA"):
        transparent = "A" in image.getbands() or "transparency" in image.info
        image = image.convert("RGBA" if transparent else "RGB")
    if image.mode in ("RGBA", "LA"):
        bands = [image.getchannel(band).resize(size, resample, reducing_gap=2.0)
                 for band in image.getbands()[:-1]]
        return bands[0] if len(bands) == 1 else Image.merge("RGB", bands)
    return image.resize(size, resample, reducing_gap=2.0)


class DecodeTurn:
    """Whose turn it is to decode a picture in this process; ``waiting`` counts those in line."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._count = threading.Lock()
        self._owner: int | None = None
        self.waiting = 0

    @contextlib.contextmanager
    def __call__(self, *, wait_limit: bool = True) -> Iterator[None]:
        """Hold the turn for the block. ``wait_limit``: give up (ServiceError 503) after
        ``IMAGE_DECODE_WAIT_SECONDS``; without it (background jobs), wait as long as it takes."""
        from wcc.errors import ServiceError

        me = threading.get_ident()
        if self._owner == me:  # this thread has the turn already (a document made inside a decode)
            yield
            return
        timeout = current_app.config.get("IMAGE_DECODE_WAIT_SECONDS", 20) if wait_limit else -1
        with self._count:
            self.waiting += 1
        try:
            got = self._lock.acquire(timeout=timeout)
        finally:
            with self._count:
                self.waiting -= 1
        if not got:
            raise ServiceError(_("The server is busy checking other photos. Nothing has been saved; "
                                 "please try again in a minute."), status=503)
        self._owner = me
        try:
            yield
        finally:
            self._owner = None
            self._lock.release()


#: One picture decoded at a time per process (gunicorn threads, the development server's
#: threads, a worker's jobs), for uploads and documents alike.
decode_turn = DecodeTurn()
