from django.urls import path

from . import views

app_name = "supervision"
urlpatterns = [
    path("", views.home, name="home"),
    path("draws/new/", views.draw_new, name="draw_new"),
    path("draws/<uuid:public_id>/", views.draw, name="draw"),
    path("checks/<uuid:public_id>/", views.check, name="check"),
    path("checks/<uuid:public_id>/finding/", views.finding, name="finding"),
    path("checks/<uuid:public_id>/conclude/", views.conclude, name="conclude"),
    path("rectifications/<uuid:public_id>/", views.rectification, name="rectification"),
    path("rectifications/<uuid:public_id>/answer/", views.answer, name="answer"),
    path("rectifications/<uuid:public_id>/decide/", views.decide, name="decide"),
    path("rectifications/<uuid:public_id>/revoke/", views.revoke_overdue, name="revoke_overdue"),
    path("titles/<uuid:public_id>/revoke/", views.revoke, name="revoke"),
    path("files/<int:pk>/", views.download, name="file"),
]
