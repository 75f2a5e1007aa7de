"""The one date style (GOV.UK: 4 December 2026) for dates a template shows without a format. Django's own en_GB
formats would write "4 Dec 2026" and override the DATE_FORMAT setting; see incomeapp.dates for times."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \a\t H:i"
MONTH_DAY_FORMAT = "j F"
