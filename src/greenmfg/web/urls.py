from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("health", views.health, name="health"),
    path("registrations/", views.registrations, name="registrations"),
    path("registrations/<int:pk>/", views.decide, name="decide"),
]
