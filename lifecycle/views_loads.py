from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("lifecycle.view_tenancyload", raise_exception=True)
def loads(request):
    return render(request, "lifecycle/loads.html", {})
