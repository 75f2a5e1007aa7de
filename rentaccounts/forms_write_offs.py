"""Forms for the small-balance write-off run and the write-on (GOV.UK layout)."""

from django import forms

from incomeapp.forms import GdsFormMixin, MoneyField
from incomeapp.money import format_money

from .constants import AccountKind
from .selectors_write_offs import RunRule
from .services.write_off_rules import small_balance_limit

DEFAULT_BALANCE_UNDER = "10.00"
DEFAULT_ENDED_MONTHS = 6


class RunRuleForm(GdsFormMixin, forms.Form):
    """The rule, read from the page's address so the list can be looked at, shared and looked at again."""

    submit_label = "Show the list"
    submit_name = "show"

    balance_under = MoneyField(
        width=5,
        label="Balance under, in pounds",
        error_messages={"required": "Enter the balance the accounts owe less than, like 10.00"},
    )
    ended_months = forms.IntegerField(
        label="Tenancy ended at least this many months ago",
        min_value=1,
        max_value=240,
        widget=forms.TextInput(attrs={"class": "govuk-input--width-3", "inputmode": "numeric", "spellcheck": "false"}),
        error_messages={
            "required": "Enter how many months ago the tenancy ended, like 6",
            "invalid": "Enter a whole number of months, like 6",
            "min_value": "Enter at least 1 month",
            "max_value": "Enter 240 months or fewer",
        },
    )
    account_kinds = forms.MultipleChoiceField(
        label="Which accounts",
        choices=AccountKind.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one kind of account"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limit = small_balance_limit()
        self.fields[
            "balance_under"
        ].help_text = (
            f"Accounts owing more than nothing and less than this. A small balance is under {format_money(limit)}."
        )

    def clean_balance_under(self):
        amount = self.cleaned_data["balance_under"]
        limit = small_balance_limit()
        if amount <= 0:
            raise forms.ValidationError("Enter a balance above £0.00")
        if amount > limit:
            raise forms.ValidationError(f"A small balance is under {format_money(limit)}: enter {limit} or less")
        return amount

    def rule(self) -> RunRule:
        data = self.cleaned_data
        return RunRule(
            balance_under=data["balance_under"],
            ended_months=data["ended_months"],
            account_kinds=tuple(data["account_kinds"]),
        )


class WriteOnForm(GdsFormMixin, forms.Form):
    submit_label = "Send for approval"

    reason = forms.CharField(
        label="Why is the debt owed again?",
        help_text="For example: the former tenant has been traced to a new address, or the estate has paid. "
        "It shows on the account.",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=1000,
        error_messages={"required": "Say why the debt is owed again"},
    )
