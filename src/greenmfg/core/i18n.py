"""Chinese first, English selectable (issue 4).

Chinese is the source language: the templates' `{% translate %}` strings and the views' messages are the
Chinese text itself, there is no zh-hans catalogue, and `locale/en/LC_MESSAGES/django.po` holds the English.
Data that already carries both languages (service errors, workflow states, scheme texts, review steps) is
shown through `localized` here, or the `lang` template filter (greenmfg.web.templatetags.greenmfg).

The platform speaks Chinese unless the user picked English with the switch in the page header (a cookie):
the browser's Accept-Language is not consulted, so an English browser still gets the Chinese platform.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from contextlib import suppress
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.functional import Promise, lazy
from django.utils.translation import gettext, gettext_lazy, gettext_noop


def english() -> bool:
    """Whether the active language is English (any variant)."""
    return (translation.get_language() or "").lower().startswith("en")


def localized(value: Any) -> str:
    """The active language's text of a value with both: an error or label with `.zh`/`.en`, a mapping with
    "zh"/"en", a review step (`name`/`name_en`) or a `(zh, en)` pair. English falls back to the Chinese
    when the English is empty; anything else is returned as text."""
    if value is None:
        return ""
    zh: Any
    en: Any
    if isinstance(value, tuple) and len(value) == 2:
        zh, en = value
    elif isinstance(value, Mapping):
        zh, en = value.get("zh", ""), value.get("en", "")
    elif hasattr(value, "zh"):
        zh, en = value.zh, getattr(value, "en", "")
    elif hasattr(value, "name_en") and hasattr(value, "name"):
        zh, en = value.name, value.name_en
    else:
        return str(value)
    return str(en) if english() and en else str(zh)


def label(value: Any) -> str:
    """`localized` for a value with both languages; a plain string (a model choice label, a fixed Chinese
    label from a selector) is looked up in the catalogue, and comes back unchanged when it is not there."""
    if value is None:
        return ""
    if isinstance(value, tuple | Mapping) or hasattr(value, "zh") or hasattr(value, "name_en"):
        return localized(value)
    text = str(value)
    return gettext(text) if text else ""  # gettext("") would be the catalogue's header


def translated_choices(choices: Iterable[tuple[Any, Any]]) -> list[tuple[Any, Promise]]:
    """A form field's choices with their labels in the language active when the form is shown: for the
    Chinese labels of model choices (listed in DATA_LABELS, so the catalogue has their English)."""
    return [(value, gettext_lazy(str(text))) for value, text in choices]


def _both(zh: str, en: str, code: str) -> str:
    text = localized((zh, en))
    if not code:
        return text
    return f"{text} ({code})" if english() and en else f"{text}（{code}）"


both_lazy = lazy(_both, str)
"""A label with both languages, in the language active when it is shown: ``both_lazy(zh, en, code)`` (the
code after the label in brackets, or ``""``), for form choices built from data that carries both."""


class ChosenLanguageMiddleware(LocaleMiddleware):
    """LocaleMiddleware without Accept-Language: the language is the one chosen with the switch (Django's
    language cookie, set by `set_language`), else LANGUAGE_CODE (Chinese)."""

    def process_request(self, request: HttpRequest) -> None:
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = settings.LANGUAGE_CODE
        if chosen:
            with suppress(LookupError):
                language = translation.get_supported_language_variant(chosen)
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request: HttpRequest, response: HttpResponseBase) -> HttpResponseBase:
        patch_vary_headers(response, ("Cookie",))
        response.headers.setdefault("Content-Language", translation.get_language())
        return response


# Labels that reach the templates as plain Chinese strings from code this module cannot annotate (model
# choices, fixed labels of selectors, the credit negative list of greencore's review.yaml). Listed here so
# that `makemessages` keeps them in the catalogue; tests/greenmfg/test_i18n.py checks that every model choice
# label and negative-list item has its English.
DATA_LABELS = (
    # catalog.TitleKind, catalog.TitleLevel
    gettext_noop("绿色工厂"),
    gettext_noop("绿色工业园区"),
    gettext_noop("绿色供应链管理企业"),
    gettext_noop("绿色设计产品"),
    gettext_noop("市级"),
    gettext_noop("省级"),
    gettext_noop("国家级"),
    # orgs.OrgKind, AuthorityLevel, OrgStatus, Role
    gettext_noop("企业"),
    gettext_noop("园区"),
    gettext_noop("第三方评价机构"),
    gettext_noop("主管部门"),
    gettext_noop("科研院所及其他"),
    gettext_noop("区县"),
    gettext_noop("地市"),
    gettext_noop("工业和信息化部"),
    gettext_noop("待确认"),
    gettext_noop("已确认"),
    gettext_noop("未通过"),
    gettext_noop("申报人员"),
    gettext_noop("审核人员"),
    gettext_noop("评价人员"),
    gettext_noop("评审专家"),
    gettext_noop("系统管理员"),
    gettext_noop("安全管理员"),
    gettext_noop("审计管理员"),
    # reviews.Decision.Outcome, ExpertAssignment.Status, CreditCheck.Source, CreditCheck.Outcome
    gettext_noop("通过"),
    gettext_noop("已转报"),
    gettext_noop("未获转报"),
    gettext_noop("退回修改"),
    gettext_noop("不予通过"),
    gettext_noop("进入公示"),
    gettext_noop("评审中"),
    gettext_noop("已签署"),
    gettext_noop("已撤销"),
    gettext_noop("信用中国"),
    gettext_noop("国家企业信用信息公示系统"),
    gettext_noop("未发现负面记录"),
    gettext_noop("命中负面清单"),
    # reviews.models.Meeting.Outcome
    gettext_noop("同意"),
    gettext_noop("不同意"),
    # greencore.Basis: where the deciding result comes from
    gettext_noop("专家评审"),
    gettext_noop("第三方评价"),
    gettext_noop("企业自评价"),
    # publication: PublicityEntry.Status, Objection.Status, Title.Status
    gettext_noop("公示中"),
    gettext_noop("异议成立，已移出"),
    gettext_noop("已公布"),
    gettext_noop("待处理"),
    gettext_noop("待验证"),
    gettext_noop("不予受理"),
    gettext_noop("未验证，已失效"),
    gettext_noop("异议成立"),
    gettext_noop("异议不成立"),
    gettext_noop("有效"),
    # applications.ImportJob.Status
    gettext_noop("排队中"),
    gettext_noop("处理中"),
    gettext_noop("已完成"),
    gettext_noop("失败"),
    # evaluations: EngagementStatus, FindingKind, ConflictKind
    gettext_noop("评价中"),
    gettext_noop("已出具评价结论"),
    gettext_noop("评价机构已拒绝"),
    gettext_noop("已终止"),
    gettext_noop("文件核查"),
    gettext_noop("人员访谈"),
    gettext_noop("现场核查"),
    gettext_noop("曾为申报单位提供咨询服务"),
    gettext_noop("存在股权或投资关联"),
    gettext_noop("其他利害关系"),
    # register.EntrySource, reference.RegionLevel
    gettext_noop("国家级名单（第一至六批）"),
    gettext_noop("本平台发布"),
    gettext_noop("地市级"),
    gettext_noop("区县级"),
    # greencore/workflow/review.yaml negative_list (工信部节〔2024〕13号 第十五条)
    gettext_noop("未正常生产经营（注销、停产12个月以上、列入经营异常名录未移出）"),
    gettext_noop("发生安全（含网络安全、数据安全）、质量、环境污染等事故或偷税漏税等违法违规行为"),
    gettext_noop("曾被移出绿色制造名单"),
    gettext_noop("在国务院及有关部委督查中发现严重问题"),
    gettext_noop("列入工业节能监察整改名单且未完成整改"),
    gettext_noop("被列为失信被执行人"),
)
