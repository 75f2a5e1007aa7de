"""Cursor pagination for every list: stable under inserts, so a data warehouse's nightly pull can walk the ledger from
where it stopped (`next` is the address of the following page; keep it to resume)."""

from rest_framework.pagination import CursorPagination


class IdCursorPagination(CursorPagination):
    ordering = "id"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 1000
