from django import forms


class TenancySearchForm(forms.Form):
    q = forms.CharField(
        label="Search tenancies",
        required=False,
        max_length=100,
        help_text="A payment reference, a tenant's name, or part of an address or postcode.",
    )
