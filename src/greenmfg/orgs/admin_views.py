"""A jurisdiction's administration pages (issue 12). The evaluation bodies' listing: a body applies, the
bureau above the district approves, suspends, reinstates or removes it. The administrators, one role each
(三权分立): the system administrator
opens bureaus under its own and their staff accounts and deactivates accounts; the security administrator
ends sessions and resets second factors; the audit administrator reads the audit log of its bureaus and,
at the installation's top bureau, exports the whole log with its proofs. Every change is a service call
(audited there); anyone else, and anything outside the administrator's tree, answers 404."""

from __future__ import annotations

import io

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from greencore import POLICY_FIELDS
from greenmfg.accounts.models import SecurityPolicyVersion
from greenmfg.accounts.policy import current_policy
from greenmfg.audit import selectors as audit_reads
from greenmfg.audit import services as audit
from greenmfg.core.i18n import label, localized

from . import services
from .access import access_actor
from .admin_forms import BodyApplicationForm, BureauForm, SecurityPolicyForm, StaffForm
from .models import AuthorityLevel
from .selectors import Actor, actor_of, bodies_for_bureau, bureaus_in_tree, is_root_bureau, staff_in_tree
from .services import AdminRefused, RegistrationError


def _administrator(request: HttpRequest) -> Actor:
    actor = actor_of(request.user)
    if actor is None or not (actor.is_sysadmin or actor.is_secadmin or actor.is_auditadmin):
        raise Http404
    return actor


def _lower_levels(actor: Actor) -> list[str]:
    levels = [v for v, _ in AuthorityLevel.choices]  # district → ministry
    return levels[: levels.index(actor.organisation.level)]


@require_GET
def admin_home(request: HttpRequest) -> HttpResponse:
    actor = _administrator(request)
    context = {
        "bureau": actor.organisation,
        "is_sysadmin": actor.is_sysadmin,
        "is_secadmin": actor.is_secadmin,
    }
    if actor.is_sysadmin or actor.is_secadmin:
        context["bureaus"] = bureaus_in_tree(actor.organisation).select_related("region")
        context["staff"] = staff_in_tree(actor.organisation)
    if actor.is_secadmin:
        policy = current_policy()
        context["policy"] = {
            "password_max_age_days": policy.password_max_age_days,
            "min_length": policy.min_length,
            "lockout_failures": policy.lockout_threshold,
            "lockout_minutes": policy.lockout_window_minutes,
            "idle_minutes": policy.session_timeout_minutes,
            "absolute_hours": policy.session_absolute_hours,
            "second_factor_roles": sorted(settings.SECOND_FACTOR_ROLES),
        }
        context["may_set_policy"] = services.may_set_security_policy(actor)
    if actor.is_auditadmin:
        return redirect("orgs:audit_log")
    return render(request, "orgs/admin_home.html", context)


@require_http_methods(["GET", "POST"])
def security_policy(request: HttpRequest) -> HttpResponse:
    """The security administrator of the installation's top bureau edits the policy (each save a new
    version, audited old → new); every other security administrator reads it and its history."""
    actor = access_actor(request.user, "secadmin")
    editable = services.may_set_security_policy(actor)
    if request.method == "POST" and not editable:
        raise Http404
    current = current_policy()
    form = SecurityPolicyForm(request.POST if request.method == "POST" else None, initial=current.as_dict())
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason", "")
        try:
            version = services.set_security_policy(actor, data, reason=reason)
        except AdminRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, localized(refused))
        else:
            messages.success(
                request, gettext("安全策略已保存为第 %(number)s 版，即时生效。") % {"number": version.number}
            )
            return redirect("orgs:security_policy")
    bounds = [{"name": f.name, "label": localized(f), "low": f.low, "high": f.high} for f in POLICY_FIELDS]
    return render(
        request,
        "orgs/security_policy.html",
        {
            "form": form,
            "editable": editable,
            "current": current,
            "bounds": bounds,
            "versions": SecurityPolicyVersion.objects.select_related("changed_by")[:50],
        },
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def bureau_new(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "sysadmin")
    form = BureauForm(request.POST if request.method == "POST" else None, lower_levels=_lower_levels(actor))
    if request.method == "POST" and form.is_valid():
        try:
            bureau = services.open_bureau(
                actor,
                name=form.cleaned_data["name"],
                region_code=form.cleaned_data["region"],
                level=form.cleaned_data["level"],
            )
        except AdminRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, localized(refused))
        else:
            messages.success(request, gettext("已开设主管部门“%(name)s”。") % {"name": bureau.name})
            return redirect("orgs:admin_home")
    return render(request, "orgs/bureau_new.html", {"form": form, "bureau": actor.organisation})


@require_http_methods(["GET", "POST"])
def staff_new(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "sysadmin")
    bureaus = [
        (b.pk, gettext("%(name)s（%(code)s）") % {"name": b.name, "code": b.region_id})
        for b in bureaus_in_tree(actor.organisation)
    ]
    form = StaffForm(request.POST if request.method == "POST" else None, bureaus=bureaus)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user, password = services.open_staff_account(
                actor,
                bureau_id=data["bureau"],
                username=data["username"],
                display_name=data["display_name"],
                email=data["email"],
                role=data["role"],
            )
        except AdminRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, localized(refused))
        except PermissionDenied:
            raise Http404 from None
        else:
            # shown once: rendered into this response only, never stored in clear nor cached
            response = render(
                request,
                "orgs/staff_created.html",
                {"member": user.membership, "username": user.username, "password": password},
            )
            response["Cache-Control"] = "no-store"
            return response
    return render(request, "orgs/staff_new.html", {"form": form})


def _staff_action(request: HttpRequest, pk: int, role: str, done: str) -> HttpResponse:
    actor = access_actor(request.user, role)
    try:
        if done == "deactivated":
            services.deactivate_account(actor, pk)
            messages.success(request, gettext("账号已停用，其会话已结束。"))
        elif done == "sessions":
            count = services.end_sessions(actor, pk)
            messages.success(request, gettext("已结束 %(count)s 个会话。") % {"count": count})
        else:
            services.reset_second_factor(actor, pk)
            messages.success(request, gettext("已重置动态口令并解除锁定；该用户下次登录时重新绑定验证器。"))
    except PermissionDenied:
        raise Http404 from None
    except AdminRefused as refused:
        messages.error(request, localized(refused))
    return redirect("orgs:admin_home")


@require_POST
def staff_deactivate(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "sysadmin", "deactivated")


@require_POST
def sessions_end(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "secadmin", "sessions")


@require_POST
def factor_reset(request: HttpRequest, pk: int) -> HttpResponse:
    return _staff_action(request, pk, "secadmin", "factor")


@require_GET
def audit_log(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "auditadmin")
    root = is_root_bureau(actor.organisation)
    ids = None if root else list(bureaus_in_tree(actor.organisation).values_list("pk", flat=True))
    events = audit_reads.recent_events(ids)
    return render(
        request,
        "orgs/audit_log.html",
        {
            "events": events,
            "root": root,
            "bureau": actor.organisation,
            "checkpoints": audit_reads.checkpoints()[:5],
        },
    )


@require_GET
def audit_export(request: HttpRequest) -> HttpResponse:
    """The whole log with its proofs (JSON lines, `manage.py verify_audit --file` checks it offline): only
    for the audit administrator of the installation's top bureau, since it holds every bureau's events."""
    actor = access_actor(request.user, "auditadmin")
    if not is_root_bureau(actor.organisation):
        raise Http404
    out = io.StringIO()
    summary = audit_reads.export_into(out)
    audit.record(
        "audit.exported",
        actor=actor.user,
        role=actor.role,
        organisation_id=actor.organisation.pk,
        detail={"events": summary.events, "tree_size": summary.tree_size},
    )
    response = HttpResponse(
        out.getvalue().encode("utf-8"), content_type="application/x-ndjson; charset=utf-8"
    )
    stamp = timezone.now().strftime("%Y%m%dT%H%M%SZ")
    response["Content-Disposition"] = f'attachment; filename="audit-{stamp}.jsonl"'
    response["Cache-Control"] = "no-store"
    return response


# --- evaluation bodies: they apply, the bureau lists them --------------------------------------------


@login_not_required
@require_http_methods(["GET", "POST"])
def body_apply(request: HttpRequest) -> HttpResponse:
    """An evaluation body applies to be listed (served under /accounts/register/body/, see greenmfg.urls)."""
    form = BodyApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.apply_body(
                name=data["name"],
                credit_code=data["credit_code"],
                region=data["region"],
                legal_person=data["legal_person"],
                qualifications=data["qualifications"],
                evaluators=data["evaluators"],
                address=data["address"],
                username=data["username"],
                password=data["password"],
                display_name=data["display_name"],
            )
        except RegistrationError as error:
            for field, problems in error.message_dict.items():
                form.add_error(field if field in form.fields else None, problems)
        except ValidationError as error:
            form.add_error("password", error)
        else:
            return render(request, "orgs/body_applied.html", {"name": data["name"]})
    return render(request, "orgs/body_apply.html", {"form": form})


@require_GET
def bodies(request: HttpRequest) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    if actor.organisation.level == AuthorityLevel.DISTRICT:
        raise Http404
    return render(
        request, "orgs/bodies.html", {"bodies": bodies_for_bureau(actor), "bureau": actor.organisation}
    )


@require_POST
def body_decide(request: HttpRequest, pk: int) -> HttpResponse:
    actor = access_actor(request.user, "reviewer")
    action = str(request.POST.get("action", ""))
    try:
        body = services.decide_body(actor, pk, action, str(request.POST.get("reason", "")))
    except PermissionDenied:
        raise Http404 from None
    except AdminRefused as refused:
        messages.error(request, localized(refused))
    else:
        messages.success(
            request,
            gettext("%(name)s：%(state)s。") % {"name": body.name, "state": label(body.get_status_display())},
        )
    return redirect("orgs:bodies")
