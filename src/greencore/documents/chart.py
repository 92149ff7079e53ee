"""The radar chart of a report's categories: SVG for the PDF, PNG for Word (which has no SVG).

Both drawings come from one geometry, so the two formats show the same polygon. With fewer than
three categories a radar has no area, so those reports get horizontal bars instead.
"""

from __future__ import annotations

import io
import math
import shutil
import subprocess
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from xml.sax.saxutils import escape

from PIL import Image, ImageDraw, ImageFont

from greencore.documents.model import CategoryLine

SIZE = 560  # drawing units (SVG user units; PNG pixels at scale 1)
CENTRE = SIZE / 2
RADIUS = 150
RINGS = (0.2, 0.4, 0.6, 0.8, 1.0)
FONT_STACK = "'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'SimHei', sans-serif"
FILL, STROKE, GRID = "#2e7d32", "#1b5e20", "#9e9e9e"


def _point(index: int, count: int, ratio: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return CENTRE + RADIUS * ratio * math.cos(angle), CENTRE + RADIUS * ratio * math.sin(angle)


def _label(category: CategoryLine) -> str:
    return f"{category.label} {category.percent}%"


def radar_svg(categories: Sequence[CategoryLine]) -> str:
    """An SVG document: the score rate of each category (points / maximum), rings every 20 %."""
    count = len(categories)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {SIZE} {SIZE}" width="{SIZE}" '
        f'height="{SIZE}" font-family="{FONT_STACK}" font-size="12" role="img">'
    ]
    if count < 3:
        for i, c in enumerate(categories):
            y = 60.0 + i * 50
            width = 300 * min(c.ratio, 1.0)
            parts.append(f'<rect x="60" y="{y}" width="300" height="22" fill="none" stroke="{GRID}"/>')
            parts.append(f'<rect x="60" y="{y}" width="{width:.1f}" height="22" fill="{FILL}"/>')
            parts.append(f'<text x="60" y="{y - 6}">{escape(_label(c))}</text>')
        parts.append("</svg>")
        return "".join(parts)
    for ring in RINGS:
        ring_points = " ".join(f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, ring) for i in range(count)))
        parts.append(f'<polygon points="{ring_points}" fill="none" stroke="{GRID}" stroke-width="0.6"/>')
    for i in range(count):
        x, y = _point(i, count, 1.0)
        parts.append(
            f'<line x1="{CENTRE}" y1="{CENTRE}" x2="{x:.1f}" y2="{y:.1f}" '
            f'stroke="{GRID}" stroke-width="0.6"/>'
        )
    shape = " ".join(
        f"{x:.1f},{y:.1f}" for x, y in (_point(i, count, min(c.ratio, 1.0)) for i, c in enumerate(categories))
    )
    parts.append(
        f'<polygon points="{shape}" fill="{FILL}" fill-opacity="0.35" stroke="{STROKE}" stroke-width="1.5"/>'
    )
    for i, c in enumerate(categories):
        x, y = _point(i, count, 1.18)
        anchor = "middle" if abs(x - CENTRE) < 8 else ("start" if x > CENTRE else "end")
        # two lines (name, rate) keep long category names inside the drawing
        parts.append(
            f'<text x="{x:.1f}" y="{y - 3:.1f}" text-anchor="{anchor}">{escape(c.label)}'
            f'<tspan x="{x:.1f}" dy="15">{c.percent}%</tspan></text>'
        )
    parts.append("</svg>")
    return "".join(parts)


@lru_cache(maxsize=1)
def cjk_font_file() -> str | None:
    """A font file with Chinese glyphs, found through fontconfig (None when the machine has none)."""
    fc_match = shutil.which("fc-match")
    if fc_match is None:
        return None
    found = subprocess.run(
        [fc_match, "-f", "%{file}", ":lang=zh-cn"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return found if found and Path(found).exists() else None


def radar_png(categories: Sequence[CategoryLine], scale: int = 2) -> bytes:
    """The same chart as `radar_svg`, as PNG bytes for Word."""
    image = Image.new("RGB", (SIZE * scale, SIZE * scale), "white")
    draw = ImageDraw.Draw(image, "RGBA")
    font_file = cjk_font_file()
    font: ImageFont.FreeTypeFont | ImageFont.ImageFont = (
        ImageFont.truetype(font_file, 12 * scale) if font_file else ImageFont.load_default()
    )
    count = len(categories)

    def at(x: float, y: float) -> tuple[float, float]:
        return x * scale, y * scale

    if count < 3:
        for i, c in enumerate(categories):
            y = 60.0 + i * 50
            draw.rectangle([at(60, y), at(360, y + 22)], outline=GRID)
            draw.rectangle([at(60, y), at(60 + 300 * min(c.ratio, 1.0), y + 22)], fill=FILL)
            draw.text(at(60, y - 20), _label(c), fill="black", font=font)
    else:
        for ring in RINGS:
            ring_points = [at(*_point(i, count, ring)) for i in range(count)]
            draw.polygon(ring_points, outline=GRID)
        for i in range(count):
            draw.line([at(CENTRE, CENTRE), at(*_point(i, count, 1.0))], fill=GRID)
        shape = [at(*_point(i, count, min(c.ratio, 1.0))) for i, c in enumerate(categories)]
        draw.polygon(shape, fill=(46, 125, 50, 90), outline=STROKE, width=2 * scale)
        for i, c in enumerate(categories):
            x, y = _point(i, count, 1.18)
            anchor = "mm" if abs(x - CENTRE) < 8 else ("lm" if x > CENTRE else "rm")
            draw.text(at(x, y - 8), c.label, fill="black", font=font, anchor=anchor)
            draw.text(at(x, y + 8), f"{c.percent}%", fill="black", font=font, anchor=anchor)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()
