"""Templates use only the documented merge fields; everything is escaped."""

import pytest

from documents.merge_fields import MERGE_FIELDS, TemplateError, fields_used, merge


def test_the_fields_a_template_uses_are_listed_once_each_in_order():
    assert fields_used("Dear {{ tenant_name }},\n\n{{balance}} owed. {{ tenant_name }}") == ["tenant_name", "balance"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Dear {{ tennant_name }}", r"The template uses \{\{ tennant_name \}\}, which is not a merge field"),
        ("{{ tenant.name }}", r"\{\{ tenant.name \}\}, which is not a merge field"),
        ("{{ balance|upper }}", r"\{\{ balance\|upper \}\}, which is not a merge field"),
        ("{% if balance %}x{% endif %}", r"Templates cannot contain \{% … %\}"),
        ("Dear {{ tenant_name", "A merge field is not closed"),
    ],
)
def test_a_template_with_an_unknown_or_unsafe_field_is_refused_with_a_clear_message(text, message):
    with pytest.raises(TemplateError, match=message):
        fields_used(text)


def test_the_message_lists_the_merge_fields():
    with pytest.raises(TemplateError) as error:
        fields_used("{{ nope }}")
    assert all(name in str(error.value) for name in MERGE_FIELDS)


def test_merging_escapes_text_and_values_and_keeps_paragraphs():
    html = merge(
        "Dear {{ tenant_name }},\n\nYou owe {{ balance }}.\nCall <us>.",
        {"tenant_name": "Ann <b>O'Neil</b>", "balance": "£412.50"},
    )
    assert html == ("<p>Dear Ann &lt;b&gt;O&#x27;Neil&lt;/b&gt;,</p>\n<p>You owe £412.50.<br>Call &lt;us&gt;.</p>")


def test_a_missing_value_stops_the_letter():
    with pytest.raises(TemplateError, match="No value for agreement_amount"):
        merge("You agreed {{ agreement_amount }}.", {})
