"""`form|error_summary_links`: each error of a form with the id of the input it belongs to, for the GOV.UK error
summary (templates/gds/layout/error_summary.html). The link leads to the input itself: the first radio or checkbox of
a group, the first box (day) of a date, so following it puts the cursor where the answer goes."""

from django import forms, template

register = template.Library()


def _target(bound_field, part: int | None = None) -> str:
    widget = bound_field.field.widget
    if isinstance(widget, (forms.RadioSelect, forms.CheckboxSelectMultiple)):
        # crispy-forms-gds numbers the options from 1 and names them after the field, whatever the form's auto_id.
        return f"id_{bound_field.html_name}_1"
    if isinstance(widget, forms.MultiWidget):
        return f"{bound_field.auto_id}_{part or 0}"
    return bound_field.auto_id


@register.filter
def error_summary_links(form) -> list[tuple[str, str]]:
    links: list[tuple[str, str]] = []
    visible = [field for field in form.visible_fields()]
    first = _target(visible[0]) if visible else ""
    links += [(first, str(error)) for error in form.non_field_errors()]
    for bound_field in visible:
        seen: list[str] = []
        subfields = getattr(bound_field.field, "fields", ())
        for index, subfield in enumerate(subfields):
            for error in getattr(subfield.widget, "errors", []):
                links.append((_target(bound_field, index), str(error)))
                seen.append(error)
        links += [(_target(bound_field), str(error)) for error in bound_field.errors if error not in seen]
    return links
