"""Chinese by default, English selectable (issue 4).

Chinese is the source language: the msgids are the Chinese text, zh-hans has no catalogue and shows them as
they are, src/greenmfg/locale/en/LC_MESSAGES/django.po gives the English. Only the switch in the page header
(Django's language cookie) selects English; the browser's Accept-Language does not.
"""

from __future__ import annotations

import gettext
import io
import re
import sys
from pathlib import Path

from babel.messages.extract import DEFAULT_KEYWORDS, extract_python
from babel.messages.pofile import read_po
from django.apps import apps
from django.test import Client
from django.urls import reverse
from django.utils import translation
from django.utils.translation.template import templatize
from factories import start
from test_reviews import published_journey, self_evaluated_call, submitted, who

from greencore.standards.model import Text
from greencore.workflow.chain import negative_list
from greenmfg.applications.services import WORKFLOW, ApplicationError
from greenmfg.core.i18n import label, localized
from greenmfg.publication import services as publication

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "greenmfg"
PO = SRC / "locale" / "en" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")
# the templates this catalogue covers (the folders not listed are not translated yet)
TEMPLATE_DIRS = (
    "accounts",
    "orgs",
    "applications",
    "web",
    "reviews",
    "publication",
    "evaluations",
    "reports",
    "supervision",
    "register",
    "dashboards",
    "catalog",
    "pool",  # the expert pool's pages (reviews/pool_views.py)
)
PYTHON_FILES = [
    SRC / "core" / "i18n.py",
    *(SRC / app / "views.py" for app in TEMPLATE_DIRS if (SRC / app / "views.py").exists()),
    *(SRC / app / "forms.py" for app in TEMPLATE_DIRS if (SRC / app / "forms.py").exists()),
    SRC / "reviews" / "pool_views.py",
    SRC / "catalog" / "selectors.py",
    SRC / "orgs" / "admin_views.py",
    SRC / "orgs" / "forms.py",
    SRC / "orgs" / "admin_forms.py",
    SRC / "accounts" / "forms.py",
    SRC / "accounts" / "passwords.py",
    SRC / "orgs" / "services.py",
]
CJK = re.compile(r"[\u3000-\u303f\u4e00-\u9fff\uff00-\uffef]")

sys.path.insert(0, str(ROOT / "scripts"))
from compile_messages import duplicate_entries, messages_of_mo, messages_of_po  # noqa: E402


def english(client: Client) -> Client:
    """`client` after choosing English with the header switch (the language cookie)."""
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302
    return client


def page(client: Client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return response.content.decode()


def nav(html: str) -> str:
    """The header's navigation without the data in it: the signed-in organisation and user, and the
    switch's own label 中文 (a language's name is written in that language)."""
    found = re.search(r"<nav>(.*?)</nav>", html, re.S)
    assert found is not None
    text = re.sub(r'<span class="who">.*?</span>', "", found.group(1), flags=re.S)
    return text.replace(">中文<", "><")


def chrome(html: str) -> str:
    """The page's navigation and footer."""
    foot = re.search(r'<footer class="foot">(.*?)</footer>', html, re.S)
    assert foot is not None
    return nav(html) + foot.group(1)


def messages_shown(html: str) -> list[str]:
    return re.findall(r'<li class="[^"]*" role="status">(.*?)</li>', html, re.S)


# --- English pages -----------------------------------------------------------------------------------


def test_login_page_in_english_has_no_chinese_but_the_switch(world):
    html = page(english(Client()), reverse("accounts:login"))
    assert '<html lang="en">' in html
    for text in (
        "Log in",
        "Username",
        "Password",
        "Green manufacturing lists",
        "Publicity and announcements",
    ):
        assert text in html
    assert ">中文</button>" in html  # the way back
    assert not CJK.search(html.replace(">中文</button>", "")), CJK.findall(html)
    # the labels browser tests use are the English ones now
    assert "用户名" not in html and "登录" not in html


def test_my_applications_in_english(world):
    client = english(world.client("sz-machinery"))
    start(world.users["sz-machinery"])
    html = page(client, reverse("applications:mine"))
    for text in ("<h1>My applications</h1>", "Call", "State", "Draft", "Green factory (City)", "Open"):
        assert text in html, text
    assert not CJK.search(chrome(html)), CJK.findall(chrome(html))
    assert "Log out" in nav(html) and "My applications" in nav(html)
    # dates are ISO in English
    assert re.search(r"<td>\d{4}-\d{2}-\d{2}</td>", html)


def test_dossier_in_english(world):
    client = english(world.client("sz-machinery"))
    application = start(world.users["sz-machinery"])
    html = page(client, reverse("applications:dossier", args=[application.public_id]))
    for text in (
        'id="submit-button">Submit application</button>',
        "<h2>Live score</h2>",
        "<h2>Evidence</h2>",
        ">Draft</strong>",
        "Download the self-evaluation workbook (Excel)",
        "Third-party evaluation",
        "To complete before submitting (",
        " · Application · greenmfg</title>",
    ):
        assert text in html, text
    assert not CJK.search(chrome(html))
    assert "提交申报" not in html and "实时得分" not in html


def test_a_refusal_is_shown_in_the_active_language(world):
    application = start(world.users["sz-machinery"])
    url = reverse("applications:submit", args=[application.public_id])
    back = reverse("applications:dossier", args=[application.public_id])
    client = world.client("sz-machinery")
    client.post(url)
    assert "尚不能提交" in messages_shown(page(client, back))[0]
    english(client).post(url)
    assert messages_shown(page(client, back))[0] == (
        "the application cannot be submitted yet: complete the following first"
    )


def test_review_queue_and_case_in_english(world):
    self_evaluated_call(world)
    application = submitted(world)
    client = english(world.client("wz-reviewer"))
    html = page(client, reverse("reviews:queue"))
    for text in ("To do at this level (1)", "District initial review", "To review", "Handle", "Review desk"):
        assert text in html, text
    assert re.search(r"<td>\d{4}-\d{2}-\d{2}", html)
    assert not CJK.search(chrome(html)), CJK.findall(chrome(html))
    case = page(client, reverse("reviews:case", args=[application.public_id]))
    for text in (
        'id="decide-pass">Pass</button>',
        "Return for revision",
        "Reject",
        "Submitted",
        "Review record",
    ):
        assert text in case, text
    services_message = client.post(reverse("reviews:pass", args=[application.public_id]), {"reasons": "ok"})
    assert services_message.status_code == 302
    assert "Passed at this step." in messages_shown(page(client, reverse("reviews:queue")))


def test_public_notices_in_english(world):
    application = published_journey(world)
    notice = publication.open_publicity(who(world, "sz-reviewer"), application.call)
    client = english(Client())
    html = page(client, reverse("publication:notices"))
    for text in ("<h1>Open for publicity</h1>", "<h2>Announcements</h2>", "No announcements yet."):
        assert text in html, text
    assert re.search(r" to \d{4}-\d{2}-\d{2}）?", html)
    assert not CJK.search(chrome(html))
    detail = page(client, reverse("publication:notice", args=[notice.public_id]))
    assert (
        "<h2>File an objection</h2>" in detail and 'id="file-objection">Submit objection</button>' in detail
    )


# --- Chinese, as before ----------------------------------------------------------------------------------


def test_chinese_is_the_default_even_for_an_english_browser(world):
    html = page(Client(HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9"), reverse("accounts:login"))
    assert '<html lang="zh-hans">' in html
    for text in (
        "<h1>登录</h1>",
        "<label>用户名 <input",
        "<label>密码 <input",
        '<button type="submit">登录</button>',
    ):
        assert text in html, text
    assert ">English</button>" in html
    assert "Log in" not in html and "Username" not in html


def test_chinese_pages_render_as_before(world):
    applicant = world.client("sz-machinery")
    application = start(world.users["sz-machinery"])
    mine = page(applicant, reverse("applications:mine"))
    assert "<h1>我的申报</h1>" in mine and ">草稿</span>" in mine and "绿色工厂（市级）" in mine
    assert re.search(r"<td>\d{4}年\d{1,2}月\d{1,2}日</td>", mine)
    dossier = page(applicant, reverse("applications:dossier", args=[application.public_id]))
    for text in (
        'id="submit-button">提交申报</button>',
        "<h2>实时得分</h2>",
        "<h2>佐证材料</h2>",
        ">草稿</strong>",
    ):
        assert text in dossier, text
    queue = page(world.client("wz-reviewer"), reverse("reviews:queue"))
    assert ">审核工作台</a>" in queue and "本级待办（0）" in queue
    notices = page(Client(), reverse("publication:notices"))
    assert "<h1>正在公示</h1>" in notices and "暂无公告。" in notices
    assert "Log in" not in notices and "Review desk" not in queue


def test_switching_back_to_chinese(world):
    client = english(Client())
    assert "Log in" in page(client, reverse("accounts:login"))
    client.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "<h1>登录</h1>" in page(client, reverse("accounts:login"))


# --- the helpers -----------------------------------------------------------------------------------------


def test_localized_and_label_pick_the_active_language():
    error = ApplicationError("尚不能提交，请先补全以下内容。", "cannot submit yet")
    step_like = type("Step", (), {"name": "区县初审", "name_en": "District initial review"})()
    with translation.override("zh-hans"):
        assert localized(error) == "尚不能提交，请先补全以下内容。"
        assert label(Text(zh="绿色工厂评价", en="Green factory")) == "绿色工厂评价"
        assert label(step_like) == "区县初审"
        assert label("已签署") == "已签署"
    with translation.override("en"):
        assert localized(error) == "cannot submit yet"
        assert localized(("得分高于 80", "score above 80")) == "score above 80"
        assert label({"zh": "草稿", "en": "Draft"}) == "Draft"
        assert label(Text(zh="只有中文")) == "只有中文"  # no English: the Chinese
        assert label(step_like) == "District initial review"
        assert label("已签署") == "Signed"  # a model choice label, through the catalogue
        assert label("某个单位（演示）") == "某个单位（演示）"  # data: unchanged
        assert label(None) == "" and label("") == ""


# --- the catalogue ---------------------------------------------------------------------------------------


def catalogue():
    with PO.open("rb") as handle:
        return read_po(handle)


def test_every_message_has_its_english():
    empty = []
    for message in catalogue():
        if not message.id:
            continue
        strings = message.string if isinstance(message.string, tuple | list) else [message.string]
        if message.fuzzy or not all(s.strip() for s in strings):
            empty.append(message.id)
        ids = message.id if isinstance(message.id, tuple | list) else [message.id]
        wanted = set(re.findall(r"%\(\w+\)s", ids[0]))
        for text in strings:
            assert set(re.findall(r"%\(\w+\)s", text)) <= wanted, (message.id, text)
            assert not CJK.search(text.replace("…", "")), (message.id, text)
    assert not empty, f"untranslated or fuzzy: {empty}"


def test_the_compiled_catalogue_matches_the_po():
    """The committed .mo, read by Python's gettext as Django reads it, holds exactly the .po's messages
    (run `python scripts/compile_messages.py` after editing the .po)."""
    compiled = messages_of_mo(MO.read_bytes())
    assert compiled == messages_of_po(catalogue())
    assert gettext.GNUTranslations(io.BytesIO(MO.read_bytes())).info()["language"] == "en"


def _extracted(source: str) -> set[object]:
    keywords = {**DEFAULT_KEYWORDS, "gettext_noop": None}
    found: set[object] = set()
    for _line, _function, message, _comments in extract_python(io.BytesIO(source.encode()), keywords, [], {}):
        if message is None or (isinstance(message, tuple) and None in message[:2]):
            continue  # a call on a variable, e.g. gettext(text)
        found.add(tuple(message[:2]) if isinstance(message, tuple) and len(message) > 1 else message)
    return found


def test_no_message_is_in_the_catalogue_twice():
    """Parallel branches each add messages (the .po merges as a union); one message listed twice with two
    English texts would show one or the other. `compile_messages.py --dedupe` keeps the first."""
    _, repeated = duplicate_entries(PO.read_text(encoding="utf-8"))
    assert repeated == []


def test_every_translatable_string_is_in_the_catalogue():
    """Without GNU gettext: templates through Django's templatize, Python through Babel's extractor."""
    known: set[object] = set()
    for message in catalogue():
        if not message.id:
            continue
        ids = message.id if isinstance(message.id, tuple | list) else (message.id,)
        known.add((message.context, ids[0]) if message.context else ids[0])
        if len(ids) > 1:
            known.add(tuple(ids[:2]))
    wanted: set[object] = set()
    for folder in TEMPLATE_DIRS:
        for path in (SRC / "templates" / folder).glob("*.html"):
            wanted |= _extracted(templatize(path.read_text(encoding="utf-8"), origin=str(path)))
    wanted |= _extracted(templatize((SRC / "templates" / "base.html").read_text(encoding="utf-8")))
    for path in PYTHON_FILES:
        wanted |= _extracted(path.read_text(encoding="utf-8"))
    assert len(wanted) > 300
    missing = sorted(str(m) for m in wanted if m not in known)
    assert not missing, f"not in {PO.relative_to(ROOT)}: {missing}"


def test_data_labels_have_their_english():
    """Model choice labels, the credit negative list and the workflow states reach the pages as Chinese
    data; each has its English."""
    missing = []
    with translation.override("en"):
        for model in apps.get_models():
            if not model.__module__.startswith("greenmfg."):
                continue
            for field in model._meta.get_fields():
                for _value, text in getattr(field, "flatchoices", None) or []:
                    if text and label(text) == text:
                        missing.append(f"{model.__name__}.{field.name}: {text}")
        missing += [item.zh for item in negative_list() if label(item.zh) == item.zh]
        missing += [key for key, state in WORKFLOW.states.items() if not state.en]
    assert not missing, missing
