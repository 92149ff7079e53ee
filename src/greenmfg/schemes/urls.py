from django.urls import path

from . import views

app_name = "schemes"
urlpatterns = [
    path("", views.schemes, name="list"),
    path("submit/", views.submit, name="submit"),
    path("derive/", views.derive, name="derive"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/adopt/", views.adopt, name="adopt"),
    path("<int:pk>/verify/", views.verify, name="verify"),
]
