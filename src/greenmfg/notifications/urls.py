from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.centre, name="centre"),
    path("read/", views.read_all, name="read_all"),
    path("preferences/", views.preferences, name="preferences"),
]
