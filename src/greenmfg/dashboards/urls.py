from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("table/<slug:table>.xlsx", views.table_xlsx, name="table_xlsx"),
    path("targets/new", views.target_new, name="target_new"),
    path("provinces.geojson", views.provinces_geojson, name="provinces_geojson"),
]
