"""Pictures for the demo, drawn with Pillow: patterns in the spirit of each craft.

No photo is downloaded; every picture is drawn from a seeded random generator,
so demo databases look the same each time.
"""

from __future__ import annotations

import io
import math
import random

from PIL import Image, ImageDraw

WIDTH, HEIGHT = 720, 450

PALETTES = [
    ((128, 24, 36), (230, 196, 120), (28, 52, 96), (244, 236, 220)),  # madder red, gold, indigo, ivory
    ((20, 82, 87), (242, 193, 78), (180, 70, 40), (250, 245, 232)),  # teal, saffron, terracotta
    ((70, 40, 90), (210, 160, 60), (30, 110, 120), (240, 232, 214)),  # aubergine, ochre, turquoise
    ((34, 60, 40), (200, 120, 60), (150, 30, 40), (236, 226, 200)),  # pistachio, copper, pomegranate
    ((20, 40, 80), (40, 150, 170), (230, 200, 120), (245, 240, 230)),  # lapis, turquoise, gold
]
TEXTILES = {"carpet", "kilim", "zilu", "felt", "chador_shab", "termeh", "needlework", "block_print", "klash"}
VESSELS = {"pottery", "handmade_pottery", "enamel", "metal_engraving", "gemstones"}


def _textile(draw: ImageDraw.ImageDraw, rng: random.Random, palette) -> None:
    ground, accent, second, light = palette
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=ground)
    for inset, colour in ((14, accent), (30, second), (44, light), (52, ground)):
        draw.rectangle([inset, inset, WIDTH - inset, HEIGHT - inset], outline=colour, width=6)
    step = rng.choice([36, 44, 52])
    for x in range(80, WIDTH - 60, step):
        for y in range(80, HEIGHT - 60, step):
            if (x // step + y // step) % 2:
                r = step // 3
                draw.polygon([(x, y - r), (x + r, y), (x, y + r), (x - r, y)], fill=accent)
            else:
                draw.rectangle([x - 4, y - 4, x + 4, y + 4], fill=light)
    cx, cy = WIDTH // 2, HEIGHT // 2
    for radius, colour in ((120, light), (96, second), (70, accent), (34, ground)):
        draw.polygon([(cx, cy - radius), (cx + radius * 1.5, cy), (cx, cy + radius), (cx - radius * 1.5, cy)],
                     fill=colour)


def _vessel(draw: ImageDraw.ImageDraw, rng: random.Random, palette) -> None:
    ground, accent, second, light = palette
    for y in range(HEIGHT):  # a soft studio backdrop
        shade = int(40 * y / HEIGHT)
        draw.line([(0, y), (WIDTH, y)], fill=tuple(max(0, c - shade) for c in light))
    cx, cy = WIDTH // 2, HEIGHT // 2 + 10
    if rng.random() < 0.5:  # a plate seen from above
        for radius, colour in ((180, accent), (165, ground), (130, light), (112, second), (60, accent)):
            draw.ellipse([cx - radius, cy - radius, cx + radius, cy + radius], fill=colour)
        for i in range(16):
            angle = 2 * math.pi * i / 16
            x, y = cx + 146 * math.cos(angle), cy + 146 * math.sin(angle)
            draw.ellipse([x - 9, y - 9, x + 9, y + 9], fill=second)
    else:  # a vase in profile
        points = []
        for i in range(41):
            t = i / 40
            half = 60 + 70 * math.sin(math.pi * t) ** 2 - 30 * t
            points.append((cx + half, cy - 170 + 340 * t))
        draw.polygon(points + [(2 * cx - x, y) for x, y in reversed(points)], fill=ground)
        for band, colour in ((-60, accent), (10, second), (80, accent)):
            draw.rectangle([cx - 118, cy + band, cx + 118, cy + band + 14], fill=colour)
        draw.rectangle([0, cy + 170, WIDTH, HEIGHT], fill=tuple(c // 2 for c in light))


def _stars(draw: ImageDraw.ImageDraw, rng: random.Random, palette) -> None:
    """Khatam, filigree and woodwork: a tessellation of eight-pointed stars."""
    ground, accent, second, light = palette
    draw.rectangle([0, 0, WIDTH, HEIGHT], fill=ground)
    size = rng.choice([40, 48, 56])
    for row, y in enumerate(range(0, HEIGHT + size, size)):
        for x in range(-size if row % 2 else 0, WIDTH + size, size * 2):
            for k, colour, scale in ((0, light, 0.5), (1, accent, 0.36), (0, second, 0.18)):
                r = size * scale
                star = []
                for i in range(16):
                    radius = r if i % 2 == 0 else r * 0.55
                    angle = math.pi * i / 8 + k * math.pi / 8
                    star.append((x + radius * math.cos(angle), y + radius * math.sin(angle)))
                draw.polygon(star, fill=colour)


def demo_photo(craft: str, seed: int) -> bytes:
    """A JPEG picture for an initiative about ``craft``."""
    rng = random.Random(seed)
    palette = rng.choice(PALETTES)
    image = Image.new("RGB", (WIDTH, HEIGHT))
    draw = ImageDraw.Draw(image)
    if craft in TEXTILES:
        _textile(draw, rng, palette)
    elif craft in VESSELS:
        _vessel(draw, rng, palette)
    else:
        _stars(draw, rng, palette)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=82)
    return out.getvalue()
