from django.urls import path

from . import views

app_name = "dashboards"

urlpatterns = [
    path("", views.home, name="home"),
    path("table/<slug:table>.xlsx", views.table_xlsx, name="table_xlsx"),
    path("targets/new", views.target_new, name="target_new"),
    path("provinces.geojson", views.provinces_geojson, name="provinces_geojson"),
    path("quality/", views.quality, name="quality"),
    path("quality/titles/", views.quality_titles, name="quality_titles"),
    path("mine/", views.mine, name="mine"),
    path("bodies/", views.bodies, name="bodies"),
    path("backtests/", views.backtests, name="backtests"),
    path("backtests/<int:pk>/", views.backtest, name="backtest"),
    path("backtests/<int:pk>.xlsx", views.backtest_xlsx, name="backtest_xlsx"),
]
