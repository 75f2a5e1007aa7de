"""Writes of the privacy app that other parts call: the special-category access log. The subject access export is in
`privacy.subject_access`, the retention schedule and anonymising in `privacy.retention`."""

from collections.abc import Iterable, Mapping

from incomeapp.signals import SpecialCategory

from .models import SpecialCategoryAccess


def special_category_access_log(
    *, user, shown: Mapping[int, Iterable[str]], path: str, view_name: str = ""
) -> list[SpecialCategoryAccess]:
    """One row per person shown special-category data on one page view (R-DP-03), with the categories shown. A user
    not signed in (or None) is never shown such data, so nothing is written for them."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    rows = []
    for person_id, categories in shown.items():
        codes = sorted({code for code in categories if code in SpecialCategory.values})
        if codes:
            rows.append(
                SpecialCategoryAccess(
                    viewed_by=user,
                    person_record=person_id,
                    categories=",".join(codes),
                    path=path[:255],
                    view_name=view_name[:100],
                )
            )
    return SpecialCategoryAccess.objects.bulk_create(rows)
