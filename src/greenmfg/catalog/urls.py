from django.urls import path

from . import views

app_name = "catalog"
urlpatterns = [
    path("", views.calls, name="list"),
    path("new/", views.create, name="create"),
    path("<slug:code>/edit/", views.edit, name="edit"),
    path("<slug:code>/calendar/", views.calendar, name="calendar"),
    path("<slug:code>/key-list/", views.key_list, name="key_list"),
]
