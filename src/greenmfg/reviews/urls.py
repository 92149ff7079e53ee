from django.urls import path

from . import pool_views, views

app_name = "reviews"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("case/<uuid:public_id>/", views.case, name="case"),
    path("case/<uuid:public_id>/pass/", views.decide_pass, name="pass"),
    path("case/<uuid:public_id>/return/", views.decide_return, name="return"),
    path("case/<uuid:public_id>/reject/", views.decide_reject, name="reject"),
    path("case/<uuid:public_id>/credit/", views.credit_check, name="credit"),
    path("case/<uuid:public_id>/panel/", views.form_panel, name="panel"),
    path("case/<uuid:public_id>/meeting/", views.meeting, name="meeting"),
    path("case/<uuid:public_id>/reopen-scores/", views.reopen_scores, name="reopen_scores"),
    path("forwarding/<slug:code>/<int:step>/", views.forwarding, name="forwarding"),
    path("expert/", views.expert_cases, name="expert_cases"),
    path("expert/<uuid:public_id>/", views.expert_score, name="expert_score"),
    path("expert/<uuid:public_id>/sign/", views.expert_sign, name="expert_sign"),
    path("expert/<uuid:public_id>/conflict/", views.expert_conflict, name="expert_conflict"),
    # the expert pool (issue 12): kept by the bureaus, relations declared by the experts
    path("experts/", pool_views.experts, name="experts"),
    path("experts/new/", pool_views.expert_new, name="expert_new"),
    path("experts/<int:pk>/", pool_views.expert_edit, name="expert_edit"),
    path("expert/relations/", pool_views.my_relations, name="my_relations"),
    path("expert/relations/<int:pk>/withdraw/", pool_views.relation_withdraw, name="relation_withdraw"),
]
