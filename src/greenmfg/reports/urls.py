from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("application/<uuid:public_id>/", views.application_documents, name="application"),
    path("application/<uuid:public_id>/generate/", views.generate, name="generate"),
    path("application/<uuid:public_id>/verify/", views.verify, name="verify"),
    path(
        "application/<uuid:public_id>/panel/<int:step>/scores.xlsx",
        views.panel_scores_table,
        name="panel_scores",
    ),
    path("<uuid:pk>/", views.status, name="status"),
    path("<uuid:pk>/download/", views.download, name="download"),
    path("certificates/verify/", views.verify_certificate, name="verify_certificate"),
    path("certificates/<uuid:title_id>/", views.certificate, name="certificate"),
    path("certificates/<uuid:title_id>/issue/", views.certificate_issue, name="certificate_issue"),
    path("filings/<uuid:public_id>/confirmation/", views.filing_confirmation, name="filing_confirmation"),
    path("rounds/summary/", views.round_summary, name="round_summary"),
    path("issued/verify/", views.verify_issued, name="verify_issued"),
    path("issued/<uuid:pk>/", views.issued, name="issued"),
    path("issued/<uuid:pk>/download/", views.issued_download, name="issued_download"),
    path("announcements/<uuid:public_id>/list.xlsx", views.published_list_table, name="published_list"),
    path("announcements/<uuid:public_id>/announcement.pdf", views.announcement_pdf, name="announcement_pdf"),
    path("notices/<uuid:public_id>/notice.pdf", views.publicity_notice_pdf, name="notice_pdf"),
    # the issuing bureau asks for a failed 公示/公告 PDF to be made again now (kind: notice | announcement)
    path("public/<slug:kind>/<uuid:public_id>/retry/", views.public_retry, name="public_retry"),
    path("call/<slug:code>/summary.xlsx", views.call_summary_table, name="call_summary"),
]
