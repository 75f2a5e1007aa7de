from django.conf import settings

from .navigation import navigation_for


def navigation(request):
    return {
        "product_name": settings.PRODUCT_NAME,
        "navigation": navigation_for(request.user, request.path) if hasattr(request, "user") else [],
    }
