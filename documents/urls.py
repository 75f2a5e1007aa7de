from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
    path("<int:pk>/", views.download, name="download"),
    path("printing/", views.print_batches, name="print_batches"),
    path("printing/<int:pk>/", views.print_batch_download, name="print_batch_download"),
]
