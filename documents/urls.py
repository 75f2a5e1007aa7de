from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("templates/", views.templates, name="templates"),
    path("templates/<slug:key>/", views.template_edit, name="template_edit"),
    path("templates/<slug:key>/preview.pdf", views.template_preview_pdf_view, name="template_preview_pdf"),
    path("templates/<slug:key>/versions/<int:number>/", views.template_version, name="template_version"),
    path(
        "templates/<slug:key>/versions/<int:number>/preview.pdf",
        views.template_version_pdf,
        name="template_version_pdf",
    ),
    path("templates/<slug:key>/versions/<int:number>/publish/", views.template_publish, name="template_publish"),
    path("templates/<slug:key>/versions/<int:number>/revert/", views.template_revert, name="template_revert"),
    path("<int:pk>/", views.download, name="download"),
    path("printing/", views.print_batches, name="print_batches"),
    path("printing/<int:pk>/", views.print_batch_download, name="print_batch_download"),
]
