"""The national submission package (申报材料汇编): one PDF of the whole application, as the ministry's
platform asks — a cover with the table of contents, the self-evaluation report, the third-party report,
and the evidence, each under its own bookmark (the evidence by indicator, one bookmark per file).

Evidence that is a PDF is merged page by page; any other file (a spreadsheet, an image, a PDF that cannot
be read) is embedded as a file attachment of the package and listed on the cover, so nothing submitted
is left out or altered.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from greencore.documents.render import Templates, html_to_pdf, render_html

if TYPE_CHECKING:
    from pypdf import PdfReader


@dataclass(frozen=True)
class EvidenceItem:
    indicator: str  # the indicator's label as the bookmark shows it
    name: str  # the file's name as submitted
    content: bytes
    is_pdf: bool
    sm3: str = ""


@dataclass(frozen=True)
class PackageSection:
    title: str  # the bookmark
    pdf: bytes


@dataclass(frozen=True)
class SubmissionPackage:
    title: str  # e.g. 苏州示例精密机械有限公司 绿色工厂申报材料
    applicant: str
    call_name: str
    data_version: str
    generated_on: str
    sections: tuple[PackageSection, ...]
    evidence: tuple[EvidenceItem, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class _Entry:
    title: str
    level: int  # 0: a section, 1: a file under 证明材料
    page: int | None  # first page (1-based) in the package, None for an embedded file
    pages: int
    note: str = ""


EVIDENCE_BOOKMARK = "证明材料"
COVER_BOOKMARK = "封面及目录"


def _readable(content: bytes) -> PdfReader | None:
    # pypdf loads only when a package is made, not with greencore (like WeasyPrint)
    from pypdf import PdfReader  # noqa: PLC0415
    from pypdf.errors import PdfReadError  # noqa: PLC0415

    try:
        reader = PdfReader(io.BytesIO(content))
        if reader.is_encrypted:
            return None  # a protected file cannot be merged; it is attached as submitted
        _ = len(reader.pages)
        return reader
    except (PdfReadError, ValueError, OSError):
        return None


def _cover(package: SubmissionPackage, entries: list[_Entry], templates: Templates | None) -> bytes:
    context: dict[str, Any] = {
        "title": package.title,
        "applicant": package.applicant,
        "call_name": package.call_name,
        "data_version": package.data_version,
        "generated_on": package.generated_on,
        "entries": entries,
        "document_name": package.title,
    }
    return html_to_pdf(render_html("package_cover.html", context, templates))


def submission_package_pdf(package: SubmissionPackage, templates: Templates | None = None) -> bytes:
    """The package as one PDF with bookmarks; the cover's table of contents gives each part's first page."""
    from pypdf import PdfReader, PdfWriter  # noqa: PLC0415

    readers = [(s.title, PdfReader(io.BytesIO(s.pdf))) for s in package.sections]
    files = [(item, _readable(item.content) if item.is_pdf else None) for item in package.evidence]

    def entries(cover_pages: int) -> list[_Entry]:
        out: list[_Entry] = []
        page = cover_pages + 1
        for title, reader in readers:
            out.append(_Entry(title, 0, page, len(reader.pages)))
            page += len(reader.pages)
        merged = [(item, reader) for item, reader in files if reader is not None]
        attached = [item for item, reader in files if reader is None]
        if files:
            out.append(_Entry(EVIDENCE_BOOKMARK, 0, page if merged else None, 0))
        for item, reader in merged:
            assert reader is not None
            out.append(_Entry(f"{item.indicator} — {item.name}", 1, page, len(reader.pages)))
            page += len(reader.pages)
        for item in attached:
            out.append(_Entry(f"{item.indicator} — {item.name}", 1, None, 0, "以附件形式嵌入"))
        return out

    # the cover's length does not depend on the page numbers it prints: count it once, then print them
    cover_pages = len(PdfReader(io.BytesIO(_cover(package, entries(1), templates))).pages)
    toc = entries(cover_pages)
    cover = PdfReader(io.BytesIO(_cover(package, toc, templates)))

    writer = PdfWriter()
    writer.append(cover, import_outline=False)
    writer.add_outline_item(title=COVER_BOOKMARK, page_number=0)
    for title, section in readers:
        start = len(writer.pages)
        writer.append(section, import_outline=False)
        writer.add_outline_item(title=title, page_number=start)
    if files:
        merged = [(item, pdf) for item, pdf in files if pdf is not None]
        # a bookmark points at a page that exists: the evidence's pages go in first
        starts = []
        for _, pdf in merged:
            starts.append(len(writer.pages))
            writer.append(pdf, import_outline=False)
        parent = writer.add_outline_item(title=EVIDENCE_BOOKMARK, page_number=starts[0] if starts else 0)
        for (item, _), start in zip(merged, starts, strict=True):
            writer.add_outline_item(title=f"{item.indicator} — {item.name}", page_number=start, parent=parent)
        for item, maybe in files:
            if maybe is None:
                writer.add_attachment(item.name, item.content)
    writer.add_metadata(
        {"/Title": package.title.replace("\n", " "), "/Author": package.applicant, "/Producer": "greenmfg"}
    )
    writer.page_mode = "/UseOutlines"  # the reader opens with the bookmarks shown
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()
