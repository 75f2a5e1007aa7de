from django.urls import path

from . import views, views_debts

app_name = "dashboards"

urlpatterns = [
    path("", views.index, name="index"),
    path("drill/<slug:kpi>/", views.drill, name="drill"),
    path("export/<slug:table>.csv", views.export, name="export"),
    path("targets/", views.target, name="target"),
    path("officers/", views.officers, name="officers"),
    path("debts/", views_debts.debts, name="debts"),
    path("exceptions/", views.exceptions, name="exceptions"),
    path("rebuild/", views.rebuild, name="rebuild"),
    path("rebuild/<int:pk>/", views.rebuild_status, name="rebuild_status"),
    path("quarterly-return.csv", views.quarterly_return, name="quarterly_return"),
]
