from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/<uuid:public_id>/", views.draw, name="draw"),
    path("checks/<uuid:public_id>/", views.check, name="check"),
    path("checks/<uuid:public_id>/finding/", views.finding, name="finding"),
    path("checks/<uuid:public_id>/conclude/", views.conclude, name="conclude"),
    path("rectifications/<uuid:public_id>/", views.rectification, name="rectification"),
    path("rectifications/<uuid:public_id>/answer/", views.answer, name="answer"),
    path("rectifications/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("rectifications/<uuid:public_id>/revoke/", views.revoke_overdue, name="revoke_overdue"),
    path("titles/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
    path("files/<int:pk>/", views.download, name="file"),
    path("filings/", views.filings, name="filings"),
    path("filings/open/", views.filings_open, name="filings_open"),
    path("filings/deadline/", views.deadline, name="deadline"),
    path("filings/<uuid:public_id>/", views.filing, name="filing"),
    path("regrade/", views.regrade, name="regrade"),
    path("regrade/<int:pk>/", views.regrade_status, name="regrade_status"),
    path("report/<uuid:public_id>/", views.report_new, name="report_new"),
    path("report/verify/<uuid:public_id>/", views.report_verify, name="report_verify"),
    path("reports/", views.reports, name="reports"),
    path("reports/<uuid:public_id>/", views.report, name="report"),
    path("reports/files/<int:pk>/", views.report_file, name="report_file"),
    path("changes/", views.changes, name="changes"),
    path("titles/<uuid:public_id>/change/", views.change_new, name="change_new"),
    path("changes/<uuid:public_id>/", views.change, name="change"),
]
