"""Personal data is never left in a browser's or a proxy's cache (issue 21, item 4)."""

from django.utils.cache import add_never_cache_headers


class NoStoreForSignedInMiddleware:
    """Every response to a signed-in person (tenant pages, accounts, exports, PDFs) says `Cache-Control: no-store`
    (with `private` and `max-age=0`), so a shared computer's back button or a proxy never shows one officer's view
    of a tenant to the next. Static files are served by WhiteNoise before this runs, so they stay cacheable."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            add_never_cache_headers(response)
        return response
