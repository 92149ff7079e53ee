from django.urls import path

from . import admin_views, views

app_name = "orgs"
urlpatterns = [
    path("accounts/new/", views.account_new, name="account_new"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
    # a jurisdiction's administration (issue 12): one administrator role each
    path("admin/", admin_views.admin_home, name="admin_home"),
    path("admin/bureaus/new/", admin_views.bureau_new, name="bureau_new"),
    path("admin/staff/new/", admin_views.staff_new, name="staff_new"),
    path("admin/staff/<int:pk>/deactivate/", admin_views.staff_deactivate, name="staff_deactivate"),
    path("admin/staff/<int:pk>/sessions/end/", admin_views.sessions_end, name="sessions_end"),
    path("admin/staff/<int:pk>/factor/reset/", admin_views.factor_reset, name="factor_reset"),
    path("admin/security/policy/", admin_views.security_policy, name="security_policy"),
    path("admin/audit/", admin_views.audit_log, name="audit_log"),
    path("admin/audit/export/", admin_views.audit_export, name="audit_export"),
    # evaluation bodies listed by the bureau
    path("bodies/", admin_views.bodies, name="bodies"),
    path("bodies/<int:pk>/decide/", admin_views.body_decide, name="body_decide"),
]

# Self-registration is an organisation's, though it is served among the login pages (accounts:register at
# /accounts/register/): greenmfg.urls adds these to the accounts namespace, which sits below orgs.
registration_patterns = [
    path("register/", views.register, name="register"),
    path("register/body/", admin_views.body_apply, name="register_body"),
]
