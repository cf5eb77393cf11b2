"""Plain inputs made without the template engine, for lists of many rows.

Django renders each widget through its templates (`django/forms/widgets/input.html`, which
includes `attrs.html`): some 0.1-0.3 ms an input. A changelist of 100 bills renders 300 of them
(each row's selection checkbox, its editable amount and the amount's hidden key), more than the
rest of the page costs. These widgets make the same markup with `format_html`: the same
attributes in the same order, escaped the same way (tests compare them with Django's own
rendering). Used only where rows repeat; forms keep Django's widgets.

No tax arithmetic; imports nothing of `forms8829` or `ledger`.
"""

from __future__ import annotations

from django import forms
from django.utils.html import format_html, format_html_join


def _attrs(attrs: dict) -> str:
    # As attrs.html: False is left out, True is the bare name, any other value name="value".
    parts = []
    for name, value in attrs.items():
        if value is True:
            parts.append(format_html(" {}", name))
        elif value is not False:
            parts.append(format_html(' {}="{}"', name, value))
    return format_html_join("", "{}", ((part,) for part in parts))


class PlainInputMixin:
    """`render` as input.html renders, without a template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else format_html(' value="{}"', widget["value"])
        return format_html(
            '<input type="{}" name="{}"{}{}>',
            widget["type"],
            widget["name"],
            shown,
            _attrs(widget["attrs"]),
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainHiddenInput(PlainInputMixin, forms.HiddenInput):
    pass


class PlainCheckboxInput(PlainInputMixin, forms.CheckboxInput):
    pass
