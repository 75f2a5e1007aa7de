"""Template filters for the one date style (incomeapp.dates); built in to every template (settings TEMPLATES)."""

from django import template

from incomeapp import dates

register = template.Library()
register.filter("govuk_time", dates.govuk_time)
register.filter("govuk_datetime", dates.govuk_datetime)
