"""The evidence pages, under /evidence/ in the `evidence` namespace. Their views are the applications
context's: an evidence file is reached, and may change, only through the application it belongs to."""

from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("upload/<uuid:public_id>/", views.evidence_upload, name="upload"),
    path("<uuid:pk>/", views.evidence_download, name="download"),
    path("<uuid:pk>/withdraw/", views.evidence_withdraw, name="withdraw"),
]
