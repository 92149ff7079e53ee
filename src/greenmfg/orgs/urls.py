from django.urls import path

from . import views

app_name = "orgs"
urlpatterns = [
    path("accounts/new/", views.account_new, name="account_new"),
    path("sites/", views.sites, name="sites"),
    path("sites/new/", views.site_new, name="site_new"),
    path("sites/<int:pk>/", views.site_edit, name="site_edit"),
]

# Self-registration is an organisation's, though it is served among the login pages (accounts:register at
# /accounts/register/): greenmfg.urls adds these to the accounts namespace, which sits below orgs.
registration_patterns = [path("register/", views.register, name="register")]
