from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("tenancies.change_property", raise_exception=True)
def index(request):
    return render(request, "tenancies/homes/index.html", {})
