"""The tables of a call a bureau forwards, built from what it may see (greencore writes the workbook)."""

from __future__ import annotations

from datetime import date

from django.utils import timezone

from greencore import TableColumn, TableDocument
from greenmfg.applications.selectors import applications_visible_to
from greenmfg.applications.states import WORKFLOW
from greenmfg.catalog.models import Call, TitleKind, TitleLevel
from greenmfg.evaluations.models import Engagement, EngagementStatus
from greenmfg.orgs.selectors import Actor
from greenmfg.publication.models import Announcement

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
