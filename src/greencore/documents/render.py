"""Documents to bytes: HTML (Jinja2) → PDF (WeasyPrint), and Word through a docxtpl template.

Templates are files. `Templates(directory)` looks for each file first in a bureau's own directory
(`--templates DIR` on the command line, the DOCUMENT_TEMPLATES_DIR setting in the platform) and
falls back to the shipped one, so a bureau replaces a layout without touching code.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jinja2

from greencore.documents.certificate import CertificateData
from greencore.documents.chart import radar_png, radar_svg
from greencore.documents.filings import FilingConfirmation, RoundSummaryDocument
from greencore.documents.model import SelfEvaluationReport
from greencore.documents.publication import AnnouncementDocument, PublicityNoticeDocument
from greencore.documents.third_party import ThirdPartyReport
from greencore.errors import GreencoreError

SHIPPED_TEMPLATES = Path(__file__).with_name("templates")


@dataclass(frozen=True)
class Templates:
    directory: Path | None = None

    def path(self, name: str) -> Path:
        if self.directory is not None and (self.directory / name).is_file():
            return self.directory / name
        return SHIPPED_TEMPLATES / name

    def environment(self) -> jinja2.Environment:
        roots = [str(self.directory)] if self.directory is not None else []
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([*roots, str(SHIPPED_TEMPLATES)]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
        )


def render_html(template: str, context: dict[str, Any], templates: Templates | None = None) -> str:
    """One HTML page; the stylesheet (report.css) is inlined so the page stands alone."""
    templates = templates or Templates()
    css = templates.path("report.css").read_text(encoding="utf-8")
    page = templates.environment().get_template(template)
    return page.render(**context, stylesheet=css)


def html_to_pdf(html: str) -> bytes:
    # WeasyPrint takes seconds to import: it loads only when a PDF is made, not with greencore
    from weasyprint import HTML  # noqa: PLC0415

    pdf: bytes = HTML(string=html, base_url=str(SHIPPED_TEMPLATES)).write_pdf()
    return pdf


class MissingLayout(GreencoreError):
    """A scheme names a report layout no template directory provides."""


def layout_template(report: SelfEvaluationReport, suffix: str, templates: Templates | None = None) -> str:
    """The template file that draws this report: the scheme's own layout (self_evaluation-<layout>.html
    / .docx, in the bureau's directory or shipped), or the general 自评价报告 when it names none."""
    if not report.layout:
        return f"self_evaluation.{suffix}"
    name = f"self_evaluation-{report.layout}.{suffix}"
    if not (templates or Templates()).path(name).is_file():
        raise MissingLayout(
            report.scheme_key,
            f"评价方案指定的报告版式“{report.layout}”缺少模板文件 {name}",
            f"the scheme's report layout {report.layout!r} has no template file {name}",
        )
    return name


def self_evaluation_html(report: SelfEvaluationReport, templates: Templates | None = None) -> str:
    return render_html(
        layout_template(report, "html", templates),
        {**report.context(), "radar": radar_svg(report.categories)},
        templates,
    )


def self_evaluation_pdf(report: SelfEvaluationReport, templates: Templates | None = None) -> bytes:
    return html_to_pdf(self_evaluation_html(report, templates))


def render_docx(template: str, context: dict[str, Any], templates: Templates | None = None) -> bytes:
    """A Word document from a docxtpl template; `radar_png` in the context becomes the chart image."""
    from docx.shared import Mm  # noqa: PLC0415 (python-docx and docxtpl load only for Word files)
    from docxtpl import DocxTemplate, InlineImage  # noqa: PLC0415

    templates = templates or Templates()
    document = DocxTemplate(str(templates.path(template)))
    values = dict(context)
    chart = values.pop("radar_png", None)
    if chart is not None:
        values["radar"] = InlineImage(document, io.BytesIO(chart), width=Mm(120))
    document.render(values, autoescape=True)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def self_evaluation_docx(report: SelfEvaluationReport, templates: Templates | None = None) -> bytes:
    return render_docx(
        layout_template(report, "docx", templates),
        {**report.context(), "radar_png": radar_png(report.categories)},
        templates,
    )


def third_party_html(report: ThirdPartyReport, templates: Templates | None = None) -> str:
    return render_html(
        "third_party.html", {**report.context(), "radar": radar_svg(report.categories)}, templates
    )


def third_party_pdf(report: ThirdPartyReport, templates: Templates | None = None) -> bytes:
    return html_to_pdf(third_party_html(report, templates))


def third_party_docx(report: ThirdPartyReport, templates: Templates | None = None) -> bytes:
    return render_docx(
        "third_party.docx", {**report.context(), "radar_png": radar_png(report.categories)}, templates
    )


def certificate_pdf(data: CertificateData, templates: Templates | None = None) -> bytes:
    return html_to_pdf(render_html("certificate.html", data.context(), templates))


def publicity_notice_pdf(notice: PublicityNoticeDocument, templates: Templates | None = None) -> bytes:
    return html_to_pdf(render_html("publicity_notice.html", notice.context(), templates))


def announcement_pdf(document: AnnouncementDocument, templates: Templates | None = None) -> bytes:
    return html_to_pdf(render_html("announcement.html", document.context(), templates))


def filing_confirmation_pdf(document: FilingConfirmation, templates: Templates | None = None) -> bytes:
    return html_to_pdf(render_html("filing_confirmation.html", document.context(), templates))


def filing_round_summary_pdf(document: RoundSummaryDocument, templates: Templates | None = None) -> bytes:
    return html_to_pdf(render_html("filing_round_summary.html", document.context(), templates))
