"""The expert panel's score sheet (专家评分表) as Excel (issue 14): each expert's points per indicator and
the panel's figure, equal to what greencore's aggregation gives and the review decided on, cell by cell."""

from __future__ import annotations

import io
from decimal import Decimal

from django.urls import reverse
from openpyxl import load_workbook
from test_reviews import self_evaluated_call, submitted, through_panel, who
from tests.renderings import office_png

from greencore import aggregate
from greenmfg.reviews import selectors, services
from greenmfg.reviews.models import Assignment

CENT = Decimal("0.01")


def _url(application, step):
    return reverse("reports:panel_scores", kwargs={"public_id": application.public_id, "step": step})


def _exact(cell) -> Decimal | None:
    """A numeric cell's value as a Decimal (openpyxl reads numbers back as int or float)."""
    if cell.value is None:
        return None
    assert cell.data_type == "n", f"{cell.coordinate} 应为数值"
    return Decimal(str(cell.value))


def test_score_sheet_holds_each_experts_points_and_the_engines_aggregate(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    sheet = selectors.scoring_sheet(application)
    first, second = sheet[0]["id"], sheet[1]["id"]
    full = {row["id"]: str(row["self_points"] or 0) for row in sheet}
    maximum = sheet[0]["max_points"]
    # three experts disagree on the first indicator (0, full marks, half) and on the second by cents
    given = {
        0: {**full, first: "0", second: "1.25"},
        1: {**full, first: str(maximum), second: "1.50"},
        2: {**full, first: str(maximum / 2), second: "1.00"},
    }
    assert sheet[1]["max_points"] >= Decimal("1.5")
    panel = through_panel(world, application, given)
    application.refresh_from_db()
    step = selectors.current_step(application)
    assert step.panel is not None and step.panel.aggregation == "trimmed_mean"
    result = selectors.panel_result(application, step)

    city = world.client("sz-reviewer")
    response = city.get(_url(application, step.index))
    assert response.status_code == 200
    office_png(response.content, "panel-scores", "xlsx")
    book = load_workbook(io.BytesIO(response.content))
    ws = book["专家评分表"]
    assert "专家评审评分表" in ws["A1"].value and application.applicant.name in ws["A1"].value
    assert (
        "去掉一个最高分和一个最低分后取平均" in ws["A2"].value
        and f"专家组得分：{result.total}" in ws["A2"].value
    )
    # experts in the order they signed, named as the bureau knows them
    signed = sorted(panel, key=lambda a: (Assignment.objects.get(pk=a.pk).signed_at, a.pk))
    header = [c.value for c in ws[3]]
    assert header[:5] == ["序号", "指标编号", "评价指标", "满分", "企业自评分"]
    assert header[5:] == [f"专家{n}（{a.expert.user}）" for n, a in enumerate(signed, 1)] + ["专家组得分"]
    assert (ws.freeze_panes, ws.auto_filter.ref) == ("A4", f"A3:I{4 + len(sheet)}")
    by_expert = [given[panel.index(a)] for a in signed]
    for offset, row in enumerate(sheet):
        cells = ws[4 + offset]
        assert (cells[0].value, cells[1].value) == (offset + 1, row["id"])
        assert _exact(cells[3]) == row["max_points"] and _exact(cells[4]) == row["self_points"]
        experts = [_exact(c) for c in cells[5:8]]
        assert experts == [Decimal(points[row["id"]]) for points in by_expert], row["id"]
        # the panel's column: greencore's aggregate of those three, as the review computed it
        assert _exact(cells[8]) == result.per_indicator[row["id"]] == aggregate(experts, "trimmed_mean")
    # hand-worked: trimmed mean drops the highest and the lowest, the middle one stays
    assert _exact(ws[4][8]) == (maximum / 2).quantize(CENT)
    assert _exact(ws[5][8]) == Decimal("1.25")
    total = ws[4 + len(sheet)]
    assert total[2].value == "合计" and _exact(total[8]) == result.total
    assert [_exact(c) for c in total[5:8]] == [
        sum((Decimal(v) for v in points.values()), Decimal(0)) for points in by_expert
    ]
    # the figure the city decides on is the sheet's
    decision = services.pass_step(who(world, "sz-reviewer"), application, "专家评审通过")
    assert decision.score == _exact(total[8])


def test_no_sheet_before_the_panel_has_signed_nor_for_another_bureau(world):
    self_evaluated_call(world)
    application = submitted(world)
    services.pass_step(who(world, "wz-reviewer"), application, "同意")
    panel = through_panel(world, application)
    application.refresh_from_db()
    step = selectors.current_step(application).index
    Assignment.objects.filter(pk=panel[0].pk).update(status=Assignment.Status.ACTIVE)
    refused = world.client("sz-reviewer").get(_url(application, step))
    assert refused.status_code == 409 and "专家组尚未全部签署评分" in refused.content.decode()
    Assignment.objects.filter(pk=panel[0].pk).update(status=Assignment.Status.SIGNED)
    assert world.client("sz-reviewer").get(_url(application, step)).status_code == 200
    # the district does not decide the panel's step, the applicant and the experts are not bureaus,
    # and a step without a panel (or past the chain) has no sheet
    for role in ("wz-reviewer", "sz-machinery", panel[0].expert.user.username, "wx-reviewer"):
        assert world.client(role).get(_url(application, step)).status_code == 404, role
    for other in (0, 9):
        assert world.client("sz-reviewer").get(_url(application, other)).status_code == 404
