"""The boundary: every text from outside is checked here, once, before a view or a service sees it.

`HostileInputMiddleware` holds query parameters, cookies, URL path segments, form fields, uploaded file
names and JSON bodies to the rules of `core.text`: a refusal is a 400 that names the field, as JSON in the
user's language under /api/ and as a small page elsewhere, and nothing reaches the database. Form fields
may be multi-line here (a text area keeps its line breaks); which fields are single-line and how long they
may be is the form's business (`core.forms`).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template.loader import render_to_string

from .i18n import localized
from .text import TextProblem, text_problem

API_PREFIX = "/api/"


def wants_json(request: HttpRequest) -> bool:
    return bool(request.path_info.startswith(API_PREFIX) or request.content_type == "application/json")


def refuse(
    request: HttpRequest, field: str, problem: TextProblem | tuple[str, str], status: int = 400
) -> HttpResponse:
    """The answer to a refused input: the field and the reason, in the user's language. The page is
    standalone (no base template, no session): a refusal must not touch what it refused."""
    if isinstance(problem, tuple):
        problem = TextProblem(*problem)
    field = _printable(field)
    reason = localized(problem)
    if wants_json(request):
        return JsonResponse(
            {"detail": f"{field}: {reason}", "field": field, "code": "invalid_input"},
            status=status,
            json_dumps_params={"ensure_ascii": False},
        )
    html = render_to_string("core/refused.html", {"field": field, "reason": reason, "status": status})
    return HttpResponse(html, status=status)


def _json_strings(value: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, dict):
        for key, item in value.items():
            yield f"{path}.{key}" if path else str(key), str(key)
            yield from _json_strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _json_strings(item, f"{path}[{index}]")


class HostileInputMiddleware:
    """Placed after the language middleware and before anything that reads the session (a cookie is the
    session key) or the body."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        for name, values in request.GET.lists():
            for value in [name, *values]:
                problem = text_problem(value)
                if problem is not None:
                    return refuse(request, name, problem)
        for name, value in request.COOKIES.items():
            problem = text_problem(name) or text_problem(value, max_length=4096)
            if problem is not None:
                return refuse(request, f"cookie {name}", problem)
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: tuple[Any, ...], kwargs: dict[str, Any]
    ) -> HttpResponse | None:
        for name, value in kwargs.items():
            if isinstance(value, str):
                problem = text_problem(value)
                if problem is not None:
                    return refuse(request, name, problem)
        problem = text_problem(request.path_info)
        if problem is not None:
            return refuse(request, "path", problem)
        if request.method in ("GET", "HEAD", "OPTIONS"):
            return None
        if request.content_type == "application/json":
            return self._check_json(request)
        try:
            fields = list(request.POST.lists())
            files = list(request.FILES.lists())
        except MultiPartParserError:
            return refuse(request, "body", ("请求格式不正确。", "the request body is malformed"))
        except Exception as error:  # the upload handler's refusal (uploads imports this module)
            from .uploads import UploadTooLarge, too_large  # noqa: PLC0415  (uploads imports this module)

            if isinstance(error, UploadTooLarge):
                return too_large(request, error.limit, error.what)
            raise
        for name, values in fields:
            problem = text_problem(name)
            if problem is not None:
                return refuse(request, name, problem)
            for value in values:
                problem = text_problem(value, multiline=True)
                if problem is not None:
                    return refuse(request, name, problem)
        for name, uploads in files:
            for upload in uploads:
                problem = text_problem(name) or text_problem(upload.name or "", max_length=255)
                if problem is not None:
                    return refuse(request, name, problem)
        return None

    def _check_json(self, request: HttpRequest) -> HttpResponse | None:
        try:
            document = json.loads(request.body or b"null")
        except (ValueError, UnicodeDecodeError):
            return None  # not JSON: the view's own parser answers
        for path, value in _json_strings(document, ""):
            problem = text_problem(value, multiline=True)
            if problem is not None:
                return refuse(request, path or "body", problem)
        return None


def _printable(name: str) -> str:
    """A field name fit to show back: refused characters as escapes."""
    return name.encode("unicode_escape", "backslashreplace").decode("ascii")[:64]
