"""`{{ amount|money }}`: the template face of incomeapp.money.format_money (a builtin, no {% load %} needed)."""

from django import template

from incomeapp.money import format_money

register = template.Library()


@register.filter(name="money")
def money_filter(amount):
    return format_money(amount)
