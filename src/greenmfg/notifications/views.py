"""The notification centre: a signed-in user's own notifications, marking them read, and the choice of
e-mail or in-app only."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_POST

from greenmfg.accounts.models import User

from . import selectors, services


def _user(request: HttpRequest) -> User:
    if not isinstance(request.user, User):
        raise Http404
    return request.user


@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    return render(
        request,
        "notifications/centre.html",
        {
            "notifications": selectors.notifications_of(user),
            "email_choice": selectors.email_choice(user),
            "has_email": bool(user.email),
        },
    )


@require_POST
def read_all(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(_user(request))
    return redirect("notifications:centre")


@require_POST
def preferences(request: HttpRequest) -> HttpResponse:
    choice = request.POST.get("email") == "1"
    services.set_email_choice(_user(request), choice)
    messages.success(request, "已设置：站内通知并发送电子邮件。" if choice else "已设置：仅站内通知。")
    return redirect("notifications:centre")
