from django.urls import path

from . import views_loads

urlpatterns = [
    path("data-loads/", views_loads.loads, name="loads"),
]
