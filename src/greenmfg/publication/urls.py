from django.urls import path

from . import views

app_name = "publication"
urlpatterns = [
    path("open/<slug:code>/", views.open_notice, name="open"),
    path("notice/<uuid:public_id>/manage/", views.manage, name="manage"),
    path("objection/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("objection/<uuid:public_id>/verify/", views.verify, name="verify"),
    path("notice/<uuid:public_id>/publish/", views.publish, name="publish"),
    path("filings/", views.filings, name="filings"),
    path("notices/", views.notices, name="notices"),
    path("notices/<uuid:public_id>/", views.notice, name="notice"),
    path("announcements/<uuid:public_id>/", views.announcement, name="announcement"),
]
