from django.urls import path

from . import views, views_costs

app_name = "courts"

urlpatterns = [
    path("", views.index, name="index"),
    path("tenancies/<str:payment_reference>/notices/", views.serve, name="serve"),
    path("notices/<int:pk>/", views.notice, name="notice"),
    path("notices/<int:pk>/claim/", views.legal_case_start, name="legal_case_start"),
    path("cases/<int:pk>/", views.legal_case, name="legal_case"),
    path("cases/<int:pk>/hearings/<int:hearing_id>/costs/", views_costs.hearing_costs, name="hearing_costs"),
    path("diary/", views.diary, name="diary"),
]
