from django.urls import path

from . import views

app_name = "evidence"
urlpatterns = [
    path("upload/<uuid:public_id>/", views.upload, name="upload"),
    path("<uuid:pk>/", views.download, name="download"),
    path("<uuid:pk>/withdraw/", views.withdraw, name="withdraw"),
]
