"""Plain inputs and error lists made without the template engine, for lists of many rows.

Django renders each widget through its templates (`django/forms/widgets/input.html`, which
includes `attrs.html`), and each field's error list through its template even when it is empty:
some 0.1-0.3 ms apiece. A changelist of 100 bills renders 300 inputs (each row's selection
checkbox, its editable amount and the amount's hidden key) and 100 empty error lists, more than
the rest of the page costs. These make the same markup as Python strings: the same attributes in
the same order, escaped as Django escapes them (tests compare them with Django's own rendering).
Used only where rows repeat; forms keep Django's widgets.

No tax arithmetic; imports nothing of `forms8829` or `ledger`.
"""

from __future__ import annotations

import html

from django import forms
from django.forms.utils import ErrorList
from django.utils.safestring import SafeString


def escaped(value) -> str:
    # As conditional_escape: safe strings as they are, anything else str() and escaped.
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


def _attrs(attrs: dict) -> str:
    # As attrs.html: False is left out, True is the bare name, any other value name="value".
    return "".join(
        f" {escaped(name)}" if value is True else f' {escaped(name)}="{escaped(value)}"'
        for name, value in attrs.items()
        if value is not False
    )


class PlainInputMixin:
    """`render` as input.html renders, without a template."""

    def render(self, name, value, attrs=None, renderer=None):
        widget = self.get_context(name, value, attrs)["widget"]
        shown = "" if widget["value"] is None else f' value="{escaped(widget["value"])}"'
        return SafeString(
            f'<input type="{escaped(widget["type"])}" name="{escaped(widget["name"])}"'
            f"{shown}{_attrs(widget['attrs'])}>"
        )


class PlainTextInput(PlainInputMixin, forms.TextInput):
    pass


class PlainHiddenInput(PlainInputMixin, forms.HiddenInput):
    pass


class PlainCheckboxInput(PlainInputMixin, forms.CheckboxInput):
    pass


class PlainErrorList(ErrorList):
    """An error list that renders no template when it holds no error (Django's renders its
    template, to nothing, for every field of every row)."""

    def render(self, template_name=None, context=None, renderer=None):
        if not self:
            return SafeString("")
        return super().render(template_name, context, renderer)

    __str__ = render
    __html__ = render


class RowsFormSet(forms.BaseModelFormSet):
    """The changelist's editable rows: their fields' errors are `PlainErrorList`s."""

    def __init__(self, *args, error_class=PlainErrorList, **kwargs):
        super().__init__(*args, error_class=error_class, **kwargs)
