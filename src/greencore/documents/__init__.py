"""The documents bureaus and enterprises exchange, built from the engine's results (issue 14).

`model` says what a document contains (pure data); `render` lays it out from template files (HTML +
CSS for PDF, .docx for Word); `chart` draws the radar of the categories.
"""

from greencore.documents.certificate import CertificateData, qr_svg
from greencore.documents.chart import radar_png, radar_svg
from greencore.documents.model import (
    CategoryLine,
    GapSection,
    GateLine,
    IndicatorLine,
    Item,
    SelfEvaluationReport,
    number,
    self_evaluation_report,
)
from greencore.documents.package import (
    EvidenceItem,
    PackageSection,
    SubmissionPackage,
    submission_package_pdf,
)
from greencore.documents.publication import (
    AnnouncedRow,
    AnnouncedTitle,
    AnnouncementDocument,
    NoticeRow,
    PublicityNoticeDocument,
    announcement_document,
    chinese_date,
    publicity_notice_document,
)
from greencore.documents.render import (
    SHIPPED_TEMPLATES,
    Templates,
    announcement_pdf,
    certificate_pdf,
    html_to_pdf,
    publicity_notice_pdf,
    render_docx,
    render_html,
    self_evaluation_docx,
    self_evaluation_html,
    self_evaluation_pdf,
    third_party_docx,
    third_party_html,
    third_party_pdf,
)
from greencore.documents.tables import TableColumn, TableDocument, safe_text, table_html, write_table_xlsx
from greencore.documents.third_party import ComparedIndicator, Finding, ThirdPartyReport, third_party_report

__all__ = [
    "SHIPPED_TEMPLATES",
    "AnnouncedRow",
    "AnnouncedTitle",
    "AnnouncementDocument",
    "CategoryLine",
    "CertificateData",
    "ComparedIndicator",
    "EvidenceItem",
    "Finding",
    "GapSection",
    "GateLine",
    "IndicatorLine",
    "Item",
    "NoticeRow",
    "PackageSection",
    "PublicityNoticeDocument",
    "SelfEvaluationReport",
    "SubmissionPackage",
    "TableColumn",
    "TableDocument",
    "Templates",
    "ThirdPartyReport",
    "announcement_document",
    "announcement_pdf",
    "certificate_pdf",
    "chinese_date",
    "html_to_pdf",
    "number",
    "publicity_notice_document",
    "publicity_notice_pdf",
    "qr_svg",
    "radar_png",
    "radar_svg",
    "render_docx",
    "render_html",
    "safe_text",
    "self_evaluation_docx",
    "self_evaluation_html",
    "self_evaluation_pdf",
    "self_evaluation_report",
    "submission_package_pdf",
    "table_html",
    "third_party_docx",
    "third_party_html",
    "third_party_pdf",
    "third_party_report",
    "write_table_xlsx",
]
