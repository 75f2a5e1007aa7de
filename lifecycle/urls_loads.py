from django.urls import path

from . import views_loads

urlpatterns = [
    path("data-loads/", views_loads.loads, name="loads"),
    path("data-loads/<int:pk>/", views_loads.load_detail, name="load_detail"),
    path("data-loads/<int:pk>/load/", views_loads.load_again, name="load_again"),
]
