"""Form fields that hold text to the boundary's rules (`core.text`), with the length of the column it
goes into. The middleware has already refused what no field accepts; these add what depends on the field:
single line or text area, and its maximum length. A refusal is a form error naming the field."""

from __future__ import annotations

from html import escape
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.forms.renderers import BaseRenderer
from django.forms.utils import flatatt
from django.http import HttpRequest, HttpResponse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe

from .boundary import refuse
from .i18n import localized
from .text import TextProblem, model_max_length, text_problem


class _CheckedText(forms.CharField):
    multiline = False

    def __init__(
        self,
        *,
        model: type | None = None,
        column: str | None = None,
        max_length: int | None = None,
        **kwargs: Any,
    ) -> None:
        if model is not None:
            max_length = model_max_length(model, column or "")
        self.limit = max_length
        super().__init__(**kwargs)
        if max_length is not None:
            self.widget.attrs.setdefault("maxlength", str(max_length))

    def to_python(self, value: Any) -> str:
        text = "" if value in self.empty_values else str(value)
        # checked before stripping: a refused character at either end is refused, not trimmed away
        problem = text_problem(text, multiline=self.multiline, max_length=self.limit)
        if problem is not None:
            raise ValidationError(localized(problem), code="invalid_text")
        return str(super().to_python(value))


class LineField(_CheckedText):
    """One line of text (a name, a contact, a code): no control characters, tabs or line breaks."""


class TextAreaField(_CheckedText):
    """Text that may span lines (grounds, reasons): line breaks and tabs kept, other controls refused."""

    multiline = True
    widget = forms.Textarea


def only_missing(form: forms.BaseForm) -> bool:
    """Whether the form failed only for empty required fields (a plain slip, answered as the view always
    did) rather than for refused input (answered by `form_refusal`)."""
    return all(error.code == "required" for errors in form.errors.as_data().values() for error in errors)


def form_refusal(request: HttpRequest, form: forms.BaseForm) -> HttpResponse:
    """A 400 naming the first field the form refused (for views that answer a post with a redirect and
    so have no page to show the form's errors on)."""
    for name, errors in form.errors.items():
        reason = "；".join(str(e) for e in errors)
        return refuse(request, name if name != "__all__" else "form", TextProblem(reason, reason))
    raise ValueError("the form has no errors")


def posted_fields(request: HttpRequest) -> dict[str, str]:
    """The fields of a POST as the last value of each name (what a form of single inputs sends), without
    the CSRF token: the answers a dossier, an evaluation or an expert's sheet saves."""
    return {key: value for key, value in request.POST.dict().items() if key != "csrfmiddlewaretoken"}


class LongSelect(forms.Select):
    """A select of thousands of options (China's 2,975 counties) written in one pass. Django's own select
    renders a template per option, which took 0.5–3 s for the counties on every registration page, a
    public page anyone can request."""

    def render(
        self,
        name: str,
        value: Any,
        attrs: dict[str, Any] | None = None,
        renderer: BaseRenderer | None = None,
    ) -> SafeString:
        widget = self.get_context(name, value, attrs)["widget"]
        parts: list[str] = [format_html('<select name="{}"{}>', name, flatatt(widget["attrs"]))]
        for group_name, options, _ in widget["optgroups"]:
            if group_name:
                parts.append(format_html('<optgroup label="{}">', group_name))
            # html.escape quotes both quote characters: safe inside the attribute and the element
            parts.extend(
                f'<option value="{escape(str(option["value"]))}"{" selected" if option["selected"] else ""}>'
                f"{escape(str(option['label']))}</option>"
                for option in options
            )
            if group_name:
                parts.append("</optgroup>")
        parts.append("</select>")
        return mark_safe("".join(parts))
