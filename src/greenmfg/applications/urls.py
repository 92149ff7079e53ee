from django.urls import path

from . import views

app_name = "applications"
urlpatterns = [
    path("", views.my_applications, name="mine"),
    path("start/<slug:code>/", views.start, name="start"),
    path("queue/", views.queue, name="queue"),
    path("<uuid:public_id>/", views.dossier, name="dossier"),
    path("<uuid:public_id>/sections/<int:index>/", views.section, name="section"),
    path("<uuid:public_id>/save/", views.save, name="save"),
    path("<uuid:public_id>/submit/", views.submit, name="submit"),
    path("<uuid:public_id>/withdraw/", views.withdraw, name="withdraw"),
    path("<uuid:public_id>/reopen/", views.reopen, name="reopen"),
    path("<uuid:public_id>/template.xlsx", views.template_download, name="template"),
    path("<uuid:public_id>/import/", views.import_upload, name="import"),
    path("<uuid:public_id>/import/<int:job_id>/", views.import_status, name="import_status"),
]
