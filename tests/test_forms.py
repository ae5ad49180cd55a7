"""The base form's select widget: WTForms' own HTML, written faster."""

import pytest
from wtforms import RadioField, SelectField, SelectMultipleField
from wtforms.fields.choices import SelectChoice
from wtforms.widgets import Select

from wenevents.forms import Form, PlainOptionsSelect
from wenevents.i18n import lazy_gettext as _l


class Choices(Form):
    class Meta:
        csrf = False

    plain = SelectField(
        choices=[
            SelectChoice("", "All"),
            SelectChoice('x<&"', "L<b>&'\""),
            SelectChoice(True, "yes"),
            SelectChoice("B", ""),
        ],
        default="B",
    )
    several = SelectMultipleField(
        choices=[SelectChoice("1", "one"), SelectChoice("2", "two")], default=["2"]
    )
    grouped = SelectField(
        choices=[SelectChoice("1", "one", optgroup="Group"), SelectChoice("2", "two")]
    )
    own_attributes = SelectField(
        choices=[SelectChoice("1", "one", render_kw={"disabled": True}), SelectChoice("2", "two")]
    )
    radio = RadioField(choices=[SelectChoice("1", "one")])


@pytest.mark.parametrize("name", ["plain", "several", "grouped", "own_attributes"])
def test_plain_options_select_writes_what_wtforms_writes(app, name):
    with app.test_request_context():
        field = Choices()[name]
        assert type(field.widget) is PlainOptionsSelect
        assert field(id="x") == Select(multiple=field.widget.multiple)(field, id="x")


def test_plain_options_select_escapes_value_and_label(app):
    with app.test_request_context():
        html = Choices().plain()
    assert '<option value="x&lt;&amp;&#34;">L&lt;b&gt;&amp;&#39;&#34;</option>' in html
    assert '<option selected value="B">B</option>' in html
    assert '<option value="True">yes</option>' in html


def test_plain_options_select_escapes_a_lazy_translated_label(app):
    class Lazy(Form):
        class Meta:
            csrf = False

        choice = SelectField(choices=[SelectChoice("1", _l("Pick %(it)s", it="<b>y</b>"))])

    with app.test_request_context():
        html = Lazy().choice()
    assert '<option value="1">Pick &lt;b&gt;y&lt;/b&gt;</option>' in html


def test_plain_options_select_leaves_other_widgets_alone(app):
    with app.test_request_context():
        form = Choices()
    assert type(form.radio.widget) is not PlainOptionsSelect
    assert form.several.widget.multiple is True
