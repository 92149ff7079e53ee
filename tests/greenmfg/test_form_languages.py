"""The forms speak the user's language: every page that renders one of the platform's forms, seen in English
by a user allowed to see it, shows no Chinese in its labels, help texts, legends and options — except data
(region, organisation, scheme and industry names, the schemes' unit names) — and shows the same pages in
Chinese with the Chinese labels as before. The msgids are the Chinese text (core.i18n)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

from django.urls import reverse
from factories import actor
from matrix_admin import build_admins
from supervision_world import grant_title
from test_i18n import english

from greencore import filing_indicators, get_scheme
from greenmfg.catalog import services as catalog
from greenmfg.catalog.models import Call
from greenmfg.publication.models import Title
from greenmfg.reviews.models import ExpertProfile
from greenmfg.supervision import services as supervision

CALL = "suzhou-2026-factory"

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Item:
    kind: str  # label | help | legend | option | optgroup
    text: str
    select: str = ""  # the select (or checkbox/radio group) an option belongs to
    zh_marked: bool = False  # lang="zh": a published name, Chinese in every language


@dataclass
class FormText(HTMLParser):
    """The texts of a page's forms a user reads: labels, help texts, legends, options and option groups.
    A checkbox or radio in a label is an option of its input's name (Django renders choices so)."""

    items: list[Item] = field(default_factory=list)
    _open: list[tuple[str, Item | None]] = field(default_factory=list)
    _select: str = ""

    def __post_init__(self) -> None:
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        classes = (found.get("class") or "").split()
        item: Item | None = None
        if tag == "select":
            self._select = found.get("name") or ""
        elif tag == "option":
            item = Item("option", "", self._select, found.get("lang") == "zh")
        elif tag == "optgroup":
            self.items.append(Item("optgroup", found.get("label") or "", self._select))
        elif tag == "label":
            item = Item("label", "")
        elif tag == "legend":
            item = Item("legend", "")
        elif "help" in classes or "helptext" in classes:
            item = Item("help", "")
        elif tag == "input" and found.get("type") in {"checkbox", "radio"} and self._open:
            # a choice of a multiple field: the label around it is an option of the input's name
            for _tag, open_item in reversed(self._open):
                if open_item is not None and open_item.kind == "label":
                    open_item.kind, open_item.select = "option", found.get("name") or ""
                    break
        if tag in {"input", "br", "img", "meta", "link", "hr"}:  # void elements
            return
        self._open.append((tag, item))

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = ""
        while self._open:
            open_tag, item = self._open.pop()
            if item is not None:
                item.text = " ".join(item.text.split())
                self.items.append(item)
            if open_tag == tag:
                break

    def handle_data(self, data: str) -> None:
        # the innermost text: a label around a select holds the label's words, not the options'
        for _tag, item in reversed(self._open):
            if item is not None:
                item.text += data
                return


def form_texts(html: str) -> list[Item]:
    parser = FormText()
    parser.feed(html)
    return parser.items


# the selects whose options are data, in every language: regions, organisations, schemes, industries, years
DATA_SELECTS = {
    "region",  # region names (a call's region, an account's or a site's district)
    "scheme",  # the schemes' own titles (their groups, the title kinds, are translated)
    "requires_title_scheme",  # the same titles
    "employer",  # the organisations an expert may work for
    "bureau",  # the bureaus an administrator staffs
    "industry",  # GB/T 4754's industry names
    "province",
    "entry",  # the units of a publicity notice
}


def untranslated(html: str, data: tuple[str, ...] = ()) -> list[Item]:
    """The form texts of a page that still carry Chinese, but for data: options of DATA_SELECTS, options
    marked lang="zh", and texts that are Chinese only where they quote one of `data`."""
    found = []
    for item in form_texts(html):
        if item.kind == "option" and (item.select in DATA_SELECTS or item.zh_marked):
            continue
        text = item.text
        for value in data:
            text = text.replace(value, "")
        if CJK.search(text):
            found.append(item)
    return found


def texts(html: str, kind: str) -> set[str]:
    """The texts of one kind, without the label suffix Django's as_p adds (":" or "：")."""
    return {item.text.rstrip(":：").strip() for item in form_texts(html) if item.kind == kind}


def _pages(world: Any) -> list[tuple[str, str | None]]:
    """(url, who) of every page that renders one of the forms, as a user allowed to see it (the rows of
    test_authorization_matrix)."""
    title = grant_title(world)
    call = Call.objects.get(code=CALL)
    catalog.set_calendar(
        actor(world.users["sz-reviewer"]), call, step_dates=[], key_list_due=call.closes_on, quota=None
    )
    build_admins(world.users)
    expert = ExpertProfile.objects.get(user=world.users["expert-1"])
    check = supervision.draw(
        actor(world.users["sz-reviewer"]), purpose="re_check", title_kind="factory", size=1, seed="forms"
    ).checks.get()
    code, pk, public_id = {"code": CALL}, {"pk": expert.pk}, {"public_id": title.public_id}
    return [
        (reverse("catalog:create"), "sz-reviewer"),
        (reverse("catalog:edit", kwargs=code), "sz-reviewer"),
        (reverse("catalog:calendar", kwargs=code), "sz-reviewer"),
        (reverse("catalog:key_list", kwargs=code), "wz-reviewer"),
        (reverse("reviews:expert_new"), "sz-reviewer"),
        (reverse("reviews:expert_edit", kwargs=pk), "sz-reviewer"),
        (reverse("reviews:my_relations"), "expert-1"),
        (reverse("register:home"), None),
        (reverse("register:titles") + "?kind=factory", None),
        (reverse("supervision:draw_new"), "sz-reviewer"),
        (reverse("supervision:check", kwargs={"public_id": check.public_id}), "sz-reviewer"),
        (reverse("supervision:revoke", kwargs=public_id), "sz-reviewer"),
        (reverse("supervision:filings"), "sz-reviewer"),
        (reverse("supervision:report_new", kwargs=public_id), None),
        (reverse("supervision:change_new", kwargs=public_id), "sz-machinery"),
        (reverse("orgs:bureau_new"), "sz-sysadmin"),
        (reverse("orgs:staff_new"), "sz-sysadmin"),
        (reverse("orgs:account_new"), "sz-reviewer"),
        (reverse("orgs:site_new"), "sz-machinery"),
        (reverse("accounts:register"), None),
        (reverse("accounts:password_change"), "sz-machinery"),
        (reverse("dashboards:target_new"), "sz-reviewer"),
    ]


def _get(world: Any, url: str, who: str | None, *, in_english: bool) -> str:
    client = world.client(who)
    if in_english:
        english(client)
    response = client.get(url)
    assert response.status_code == 200, (url, who, response.status_code)
    return response.content.decode()


def _units(world: Any) -> tuple[str, ...]:
    """The units of the key indicators a check records (the scheme's own unit names: data)."""
    title = Title.objects.order_by("pk").last()
    assert title is not None
    return tuple({spec.unit for spec in filing_indicators(get_scheme(title.scheme)) if CJK.search(spec.unit)})


def test_every_form_page_in_english_has_no_chinese_labels_help_or_options(world):
    pages = _pages(world)
    units = _units(world)
    left = {}
    for url, who in pages:
        found = untranslated(_get(world, url, who, in_english=True), data=units)
        if found:
            left[url] = [(item.kind, item.select, item.text) for item in found]
    assert not left, left


def test_the_same_pages_in_chinese_keep_their_chinese_labels(world):
    pages = _pages(world)
    for url, who in pages:
        html = _get(world, url, who, in_english=False)
        labels = texts(html, "label") | texts(html, "legend")
        assert any(CJK.search(text) for text in labels), (url, labels)
    call_form = _get(world, reverse("catalog:create"), "sz-reviewer", in_english=False)
    assert {"批次代码", "批次名称", "称号类型", "评价方案（固定版本）", "须经第三方评价"} <= texts(
        call_form, "label"
    )
    assert "多个编号用逗号或空格分隔" in texts(call_form, "help")
    assert {"区县初审", "市级审核", "去掉最高最低分后平均", "绿色工厂"} <= texts(call_form, "option")
    expert = _get(world, reverse("reviews:expert_new"), "sz-reviewer", in_english=False)
    assert {"工作单位（本辖区内已登记的单位）", "职称", "专业领域"} <= texts(expert, "label")
    assert {"节能与能源管理", "碳排放核算", "（新登记）"} <= texts(expert, "option")
    relations = _get(world, reverse("reviews:my_relations"), "expert-1", in_english=False)
    assert {"为其提供过咨询服务", "近亲属在该单位任职"} <= texts(relations, "option")


def test_exact_english_labels_help_and_options(world):
    call_form = _get(world, reverse("catalog:create"), "sz-reviewer", in_english=True)
    labels = texts(call_form, "label")
    assert {"Call code", "Call name", "Title kind", "Evaluation scheme (fixed version)"} <= labels
    assert {"Third-party evaluation required", "Indicators that require evidence (IDs)"} <= labels
    assert "Separate several IDs with commas or spaces" in texts(call_form, "help")
    options = texts(call_form, "option")
    assert {"District preliminary review", "City review", "Green factory"} <= options
    assert "Mean without the highest and lowest scores" in options
    assert {"Green factory", "Green industrial park"} <= texts(call_form, "optgroup")
    assert (
        "Review chain (rising level by level; the last step is this bureau's level, and publicity follows "
        "the last step)" in texts(call_form, "legend")
    )
    expert = _get(world, reverse("reviews:expert_new"), "sz-reviewer", in_english=True)
    assert {"Employer (an organisation registered in this jurisdiction)", "Fields of expertise"} <= texts(
        expert, "label"
    )
    assert {"Energy saving and energy management", "(register a new one)"} <= texts(expert, "option")
    relations = _get(world, reverse("reviews:my_relations"), "expert-1", in_english=True)
    assert {"Kind of relation", "Unified social credit code of the organisation concerned"} <= texts(
        relations, "label"
    )
    assert "A close relative works there" in texts(relations, "option")
    draw = _get(world, reverse("supervision:draw_new"), "sz-reviewer", in_english=True)
    assert {"Spot check", "Green factory"} <= texts(draw, "option")


def test_the_target_form_in_both_languages(world):
    english = _get(world, reverse("dashboards:target_new"), "sz-reviewer", in_english=True)
    assert {"Title kind", "Deadline"} <= texts(english, "label"), texts(english, "label")
    chinese = _get(world, reverse("dashboards:target_new"), "sz-reviewer", in_english=False)
    assert {"称号类型", "完成期限", "出处（文件名称）"} <= texts(chinese, "label")
