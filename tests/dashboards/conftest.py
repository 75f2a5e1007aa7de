"""The hand-worked estate of test_kpis, for every test here."""

from .test_kpis import estate  # noqa: F401  (a fixture)
