from django.urls import path

from . import views

app_name = "evaluations"
urlpatterns = [
    path("", views.engagements, name="list"),
    path("conflicts/", views.declare_conflict, name="declare_conflict"),
    path("engage/<uuid:public_id>/", views.engage, name="engage"),
    path("findings/<uuid:pk>/file/", views.finding_file, name="finding_file"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/save/", views.save, name="save"),
    path("<uuid:public_id>/findings/", views.add_finding, name="finding"),
    path("<uuid:public_id>/conclude/", views.conclude, name="conclude"),
    path("<uuid:public_id>/resubmission/", views.resubmission, name="resubmission"),
    path("<uuid:public_id>/decline/", views.decline, name="decline"),
    path("<uuid:public_id>/end/", views.end, name="end"),
]
