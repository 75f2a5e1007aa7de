from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("tenancies.view_person", raise_exception=True)
def index(request):
    return render(request, "tenancies/people/index.html", {})
