"""Writes the special-category access log when a page says it showed such data (incomeapp.signals)."""

from .services import special_category_access_log


def special_category_access_record(sender, *, user, shown, path, view_name="", **kwargs):
    special_category_access_log(user=user, shown=shown, path=path, view_name=view_name)
