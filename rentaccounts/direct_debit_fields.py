"""The two answers every direct debit mandate form asks for, written once for the mandates page and the sign-up's
direct debit question: the day of the month it is collected on and the fixed amount, if there is one."""

from django import forms

from incomeapp.forms import MoneyField

COLLECTION_DAY_MESSAGE = "Enter a collection day from 1 to 28"


class CollectionDayField(forms.CharField):
    """A day of the month from 1 to 28 (Bacs collects on days every month has), as a whole number. A text box with a
    numeric keypad, as the GOV.UK Design System advises, rather than <input type=number>."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Collection day of the month")
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "numeric", "class": "govuk-input--width-2"}))
        super().__init__(max_length=2, error_messages={"required": COLLECTION_DAY_MESSAGE}, **kwargs)

    def clean(self, value):
        day = super().clean(value).strip()  # the text, checked for being given and its length
        if not day.isdigit() or not 1 <= int(day) <= 28:
            raise forms.ValidationError(COLLECTION_DAY_MESSAGE, code="invalid")
        return int(day)


class MandateAmountField(MoneyField):
    """The amount collected each time, optional (blank when the collection follows the rent), never zero or less."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "Amount collected each time, in pounds (optional)")
        super().__init__(required=False, **kwargs)

    def to_python(self, value):
        amount = super().to_python(value)
        if amount is not None and amount <= 0:
            raise forms.ValidationError(
                "Enter the amount collected as a positive sum, like 95.50, or leave it blank", code="invalid"
            )
        return amount
