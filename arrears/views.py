from django.contrib.auth.decorators import permission_required
from django.shortcuts import render


@permission_required("incomeapp.use_worklist", raise_exception=True)
def index(request):
    return render(request, "arrears/index.html")
