"""The tables of a call a bureau forwards, built from what it may see (greencore writes the workbook)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone

from greencore import StepSpec, TableColumn, TableDocument
from greenmfg.applications.models import Application
from greenmfg.applications.selectors import applications_visible_to
from greenmfg.applications.states import WORKFLOW
from greenmfg.catalog.models import Call, TitleKind, TitleLevel
from greenmfg.evaluations.models import Engagement, EngagementStatus
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Announcement
from greenmfg.reviews.models import Assignment
from greenmfg.reviews.selectors import PanelResult, panel_of, scoring_sheet

# 推荐汇总表: the columns district and city bureaus forward (unit, code, place, industry, the dates and
# scores a reviewer sorts by, the state, and a blank column for the bureau's recommendation)
SUMMARY_COLUMNS = (
    TableColumn("序号", 6, "integer"),
    TableColumn("单位名称", 34),
    TableColumn("统一社会信用代码", 22),
    TableColumn("所在地区", 22),
    TableColumn("所属行业", 20),
    TableColumn("提交日期", 12, "date"),
    TableColumn("自评价得分", 11, "decimal"),
    TableColumn("第三方评价得分", 13, "decimal"),
    TableColumn("自评等级", 10),
    TableColumn("办理状态", 14),
    TableColumn("推荐意见", 24),
)


def call_summary(actor: Actor, call: Call, today: date | None = None) -> TableDocument:
    """One row per submitted application of the call the bureau may see, by submission date."""
    applications = list(
        applications_visible_to(actor)
        .filter(call=call, submitted_at__isnull=False)
        .select_related("applicant__industry", "region")
        .order_by("submitted_at", "pk")
    )
    third_party = dict(
        Engagement.objects.filter(
            application__in=[a.pk for a in applications], status=EngagementStatus.CONCLUDED
        ).values_list("application_id", "score")
    )
    rows = []
    for number, application in enumerate(applications, 1):
        dossier = application.versions.filter(frozen_at__isnull=False).order_by("-number").first()
        state = WORKFLOW.states.get(application.state)
        rows.append(
            (
                number,
                application.applicant.name,
                application.applicant.credit_code or "",
                application.region.full_name(),
                str(application.applicant.industry or ""),
                timezone.localtime(application.submitted_at).date() if application.submitted_at else None,
                dossier.score if dossier is not None else None,
                third_party.get(application.pk),
                dossier.grade if dossier is not None else "",
                state.zh if state is not None else application.state,
                "",
            )
        )
    today = today or timezone.localdate()
    return TableDocument(
        title=f"{call.name}推荐汇总表",
        subtitle=(
            f"推荐单位（盖章）：{actor.organisation.name}　　填报日期：{today.isoformat()}"
            f"　　共 {len(rows)} 家"
        ),
        columns=SUMMARY_COLUMNS,
        rows=tuple(rows),
        sheet="推荐汇总表",
    )


# 公布名单: the list an announcement grants, as bureaus forward it with the announcement's number
PUBLISHED_COLUMNS = (
    TableColumn("序号", 6, "integer"),
    TableColumn("单位名称", 34),
    TableColumn("统一社会信用代码", 22),
    TableColumn("所在地区", 22),
    TableColumn("称号", 18),
    TableColumn("级别", 8),
    TableColumn("等级", 10),
    TableColumn("得分", 9, "decimal"),
    TableColumn("有效期自", 12, "date"),
    TableColumn("状态", 8),
)


def published_list(announcement: Announcement) -> TableDocument:
    """The titles an announcement granted, in the announcement's order, under its number and date."""
    titles = announcement.titles.select_related("organisation__region").order_by("pk")
    rows = tuple(
        (
            number,
            title.organisation.name,
            title.organisation.credit_code or "",
            title.organisation.region.full_name(),
            TitleKind(title.kind).label if title.kind in TitleKind.values else title.kind,
            TitleLevel(title.level).label if title.level in TitleLevel.values else title.level,
            title.grade_label or title.grade,
            title.score,
            title.valid_from,
            title.get_status_display(),
        )
        for number, title in enumerate(titles, 1)
    )
    return TableDocument(
        title=f"{announcement.title}（{announcement.number}）",
        subtitle=(
            f"发布机关：{announcement.authority.name}　　公告文号：{announcement.number}"
            f"　　发布日期：{announcement.published_on.isoformat()}　　共 {len(rows)} 家"
        ),
        columns=PUBLISHED_COLUMNS,
        rows=rows,
        sheet="公布名单",
    )


# 专家评分表: each expert's points per indicator and the panel's figure, as the engine aggregates them
AGGREGATION_NAMES = {"mean": "取平均", "trimmed_mean": "去掉一个最高分和一个最低分后取平均"}


def panel_score_sheet(application: Application, step: StepSpec, result: PanelResult) -> TableDocument:
    """The signed panel's score sheet of one step: a row per leaf indicator (the applicant's points beside
    the experts'), the panel's column holding greencore's aggregate, and a 合计 row whose panel cell is
    the panel's total as the review decided on it."""
    panel = list(
        panel_of(application, step.index)
        .filter(status=Assignment.Status.SIGNED)
        .order_by("signed_at", "pk")
        .prefetch_related("scores")
    )
    points = [{s.indicator: s.points for s in assignment.scores.all()} for assignment in panel]
    sheet = scoring_sheet(application)
    known = {row["id"] for row in sheet}
    # an indicator scored but no longer in the sheet still counts in the engine's total: show it
    extra = sorted({key for scores in points for key in scores} - known)
    lines = [(r["id"], r["path"], r["label"], r["max_points"], r["self_points"]) for r in sheet]
    lines += [(key, "", key, None, None) for key in extra]
    columns = (
        TableColumn("序号", 6, "integer"),
        TableColumn("指标编号", 22),
        TableColumn("评价指标", 64),
        TableColumn("满分", 8, "decimal"),
        TableColumn("企业自评分", 11, "decimal"),
        *(
            TableColumn(f"专家{n}（{assignment.expert.user}）", 18, "decimal")
            for n, assignment in enumerate(panel, 1)
        ),
        TableColumn("专家组得分", 12, "decimal"),
    )
    rows: list[tuple[Any, ...]] = [
        (
            number,
            key,
            f"{path} › {label}" if path else label,
            maximum,
            own,
            *(scores.get(key) for scores in points),
            result.per_indicator.get(key),
        )
        for number, (key, path, label, maximum, own) in enumerate(lines, 1)
    ]

    def total(values: list[Decimal | None]) -> Decimal | None:
        present = [v for v in values if v is not None]
        return sum(present, Decimal("0.00")) if present else None

    rows.append(
        (
            None,
            "",
            "合计",
            total([line[3] for line in lines]),
            total([line[4] for line in lines]),
            *(total(list(scores.values())) for scores in points),
            result.total,
        )
    )
    signed = max((a.signed_at for a in panel if a.signed_at), default=None)
    return TableDocument(
        title=f"{application.applicant.name}专家评审评分表",
        subtitle=(
            f"{application.call.name}　　评审环节：{step.name}　　专家 {len(panel)} 人，"
            f"{AGGREGATION_NAMES.get(result.method, result.method)}　　专家组得分：{result.total}"
            + (f"　　签署完成：{timezone.localtime(signed):%Y-%m-%d %H:%M}" if signed else "")
        ),
        columns=columns,
        rows=tuple(rows),
        sheet="专家评分表",
    )
