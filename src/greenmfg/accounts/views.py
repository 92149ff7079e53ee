from __future__ import annotations

import base64
import time

import segno
from django.contrib import messages
from django.contrib.auth import logout, update_session_auth_hash
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import LoginView
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.middleware import is_verified
from django_otp.plugins.otp_totp.models import TOTPDevice

from greenmfg.audit import services as audit

from . import policy, services
from .forms import PasswordChangeForm, TokenForm
from .middleware import SESSION_STARTED, password_expired
from .models import User


def _signed_in(request: HttpRequest) -> User:
    """The account of a page that only signed-in users reach (the login middleware sends others away)."""
    if not isinstance(request.user, User):
        raise PermissionDenied
    return request.user


class Login(LoginView):
    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def form_valid(self, form):  # type: ignore[no-untyped-def]
        response = super().form_valid(form)
        # the absolute session length counts from the sign-in (the security policy's)
        self.request.session[SESSION_STARTED] = int(time.time())
        services.record_login(form.get_user(), True, form.get_user().get_username())
        return response

    def form_invalid(self, form):  # type: ignore[no-untyped-def]
        services.record_login(None, False, str(self.request.POST.get("username", "")))
        # one message for unknown user and wrong password alike (security AUTH-04)
        form.errors.clear()
        current = policy.current_policy()  # the lockout of the security policy in force
        form.add_error(
            None,
            _("用户名或密码不正确；连续 %(failures)d 次错误将锁定 %(minutes)d 分钟。")
            % {"failures": current.lockout_threshold, "minutes": current.lockout_window_minutes},
        )
        return super().form_invalid(form)


login_view = login_not_required(Login.as_view())


@login_not_required
def locked_out(
    request: HttpRequest, credentials: object = None, *args: object, **kwargs: object
) -> HttpResponse:
    username = str(request.POST.get("username", ""))[:150] if request.method == "POST" else ""
    audit.record(
        "authn.locked_out", object_type="accounts.user", success=False, detail={"username": username}
    )
    seconds = int(policy.cooloff().total_seconds())
    response = render(request, "accounts/locked.html", {"minutes": seconds // 60}, status=429)
    response["Retry-After"] = str(seconds)
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)  # flushes the server-side session row (PI-03)
    return redirect("accounts:login")


def otp_verify(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        return redirect("accounts:otp_setup")
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()  # a new session id on privilege change (AUTH-07)
            services.record_login(user, True, user.get_username(), {"factor": "totp"})
            return redirect("web:home")
        services.record_login(None, False, user.get_username(), {"factor": "totp"})
        form.add_error("token", _("动态口令不正确或已使用，请输入验证器上的当前口令。"))
    return render(request, "accounts/otp_verify.html", {"form": form})


def otp_setup(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    if TOTPDevice.objects.filter(user=user, confirmed=True).exists() and not is_verified(user):
        return redirect("accounts:otp_verify")
    device_id = request.session.get("otp_setup_device")
    device = TOTPDevice.objects.filter(pk=device_id, user=user, confirmed=False).first()
    if device is None:
        device = services.start_totp(user)
        request.session["otp_setup_device"] = device.pk
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.confirm_totp(user, device, form.cleaned_data["token"]):
            otp_login(request, device)
            request.session.cycle_key()
            messages.success(request, _("已启用动态口令。"))
            return redirect("web:home")
        form.add_error("token", _("动态口令不正确，请核对手机时间后重试。"))
    qr = segno.make(device.config_url, error="m").svg_inline(scale=4)
    secret = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/otp_setup.html", {"form": form, "qr": qr, "secret": secret})


def password_change(request: HttpRequest) -> HttpResponse:
    user = _signed_in(request)
    form = PasswordChangeForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.change_password(user, form.cleaned_data["new_password"])
        except ValidationError as error:
            form.add_error("new_password", error)
        else:
            update_session_auth_hash(request, user)
            messages.success(request, _("密码已修改。"))
            return redirect("web:home")
    current = policy.current_policy()
    return render(
        request,
        "accounts/password_change.html",
        {
            "form": form,
            "expired": password_expired(user, current) and not user.must_change_password,
            "policy": current,
        },
    )
