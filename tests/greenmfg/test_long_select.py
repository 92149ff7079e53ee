"""The one-pass select of long lists (core.forms.LongSelect) writes what Django's own select writes: the same
attributes, options, groups, selection and escaping."""

from __future__ import annotations

from html.parser import HTMLParser

from django import forms

from greenmfg.core.forms import LongSelect

CHOICES = [
    ("", "请选择"),
    ("320506", "吴中区"),
    ("x\"<y>'&", '引号"与<尖括号>&'),
    ("江苏省", [("320505", "虎丘区"), ("320507", "相城区")]),
]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.seen: list[tuple[str, tuple[tuple[str, str | None], ...] | str]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.seen.append((tag, tuple(sorted(attrs))))

    def handle_endtag(self, tag: str) -> None:
        self.seen.append(("/" + tag, ()))

    def handle_data(self, data: str) -> None:
        if data.strip():
            self.seen.append(("text", data.strip()))


def _parsed(html: str) -> list[tuple[str, tuple[tuple[str, str | None], ...] | str]]:
    parser = _Tags()
    parser.feed(html)
    return parser.seen


def test_long_select_writes_what_djangos_select_writes() -> None:
    for value in ("", "320506", "320507", "x\"<y>'&", "none-of-these"):
        attrs = {"id": "id_region", "required": True, "data-x": 'a"b'}
        ours = LongSelect(choices=CHOICES).render("region", value, attrs=attrs)
        django = forms.Select(choices=CHOICES).render("region", value, attrs=attrs)
        assert _parsed(ours) == _parsed(django), value


def test_a_long_select_marks_exactly_the_chosen_option() -> None:
    html = LongSelect(choices=CHOICES).render("region", "320507")
    assert html.count(" selected") == 1
    assert '<option value="320507" selected>相城区</option>' in html
    assert "&lt;尖括号&gt;" in html and 'value="x&quot;&lt;y&gt;&#x27;&amp;"' in html
