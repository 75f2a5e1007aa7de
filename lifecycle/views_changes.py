from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("lifecycle.view_rentchangerun", raise_exception=True)
def rent_changes(request):
    return render(request, "lifecycle/rent_changes.html", {})
