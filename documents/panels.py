from incomeapp.panels import Panel

from .models import Document

SHOWN = 20


def documents_panel(request, tenancy) -> Panel | None:
    """The tenancy page's documents: the newest letters, notices and statements made for its payment reference."""
    if not request.user.has_perm("documents.view_document"):
        return None
    documents = list(Document.objects.filter(reference=tenancy.payment_reference).select_related("made_by")[:SHOWN])
    return Panel("documents/tenancy_panel_documents.html", {"documents": documents, "shown": SHOWN})
