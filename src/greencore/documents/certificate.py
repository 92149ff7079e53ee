"""A certificate (证书) for a granted title, with the code and QR code the public register checks."""

from __future__ import annotations

import io
from dataclasses import asdict, dataclass
from typing import Any

import segno


@dataclass(frozen=True)
class CertificateData:
    title: str  # e.g. 绿色工厂
    level: str  # 市级 | 省级 | 国家级
    grade: str  # the grade's label, or ""
    unit_name: str
    credit_code: str
    authority: str
    announcement_number: str
    announcement_title: str
    valid_from: str
    code: str  # the verification code, as printed (groups of four)
    verify_url: str  # the public page that checks the code (also in the QR code)

    def context(self) -> dict[str, Any]:
        return {**asdict(self), "qr": qr_svg(self.verify_url)}


def qr_svg(text: str) -> str:
    """The QR code of `text` as an inline SVG element (no XML declaration, for an HTML page)."""
    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="svg", scale=4, border=2, xmldecl=False, svgns=True)
    return out.getvalue().decode("utf-8")
