"""The tenancy lifecycle, mounted at the site root. Namespace `lifecycle`. Each area has its own URL module."""

from .urls_changes import urlpatterns as changes
from .urls_ending import urlpatterns as ending
from .urls_loads import urlpatterns as loads
from .urls_signup import urlpatterns as signup

app_name = "lifecycle"

# /sign-up/…; /tenancies/<ref>/charges/… and /rent-changes/…; /tenancies/<ref>/end/… (and transfers, exchanges,
# successions, assignments); /data-loads/…
urlpatterns = [*signup, *changes, *ending, *loads]
