"""greencore's submission package: parts merged in order under bookmarks, the cover's contents pointing
at the right pages, and evidence that cannot be merged embedded unchanged instead of dropped."""

from __future__ import annotations

import io

from pypdf import PdfReader, PdfWriter

from greencore import EvidenceItem, PackageSection, SubmissionPackage, submission_package_pdf


def blank(pages: int) -> bytes:
    writer = PdfWriter()
    for _ in range(pages):
        writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def test_parts_bookmarks_and_an_unreadable_pdf_attached_unchanged():
    broken = b"%PDF-1.7\nnot really a pdf"
    package = SubmissionPackage(
        title="示例单位\n申报材料",
        applicant="示例单位",
        call_name="示例批次",
        data_version="申报书第 2 版",
        generated_on="2026-12-07",
        sections=(PackageSection("自评价报告", blank(3)), PackageSection("第三方评价报告", blank(2))),
        evidence=(
            EvidenceItem("能源管理", "能源审计报告.pdf", blank(4), is_pdf=True),
            EvidenceItem("能源管理", "损坏的扫描件.pdf", broken, is_pdf=True),
            EvidenceItem("可再生能源", "台账.xlsx", b"PK\x03\x04xlsx", is_pdf=False),
        ),
    )
    reader = PdfReader(io.BytesIO(submission_package_pdf(package)))
    cover = len(reader.pages) - 3 - 2 - 4
    assert cover == 1
    top = [item for item in reader.outline if not isinstance(item, list)]
    assert [(i.title, reader.get_destination_page_number(i)) for i in top] == [
        ("封面及目录", 0),
        ("自评价报告", 1),
        ("第三方评价报告", 4),
        ("证明材料", 6),
    ]
    children = reader.outline[-1]
    assert [(c.title, reader.get_destination_page_number(c)) for c in children] == [
        ("能源管理 — 能源审计报告.pdf", 6)
    ]
    assert dict(reader.attachments) == {"损坏的扫描件.pdf": [broken], "台账.xlsx": [b"PK\x03\x04xlsx"]}
    text = "".join(reader.pages[0].extract_text().split())
    assert "自评价报告第2页起（3页）" in text and "第三方评价报告第5页起（2页）" in text
    assert "能源审计报告.pdf第7页起（4页）" in text and "损坏的扫描件.pdf以附件形式嵌入" in text
    assert reader.metadata.title == "示例单位 申报材料"
