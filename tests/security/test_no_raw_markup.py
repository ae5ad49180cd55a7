"""Nothing in the code may turn text into HTML: a lint over the package and the templates.

Autoescaping is the only thing between what people write and the pages others open. It is
defeated by anything that declares a string "already HTML": ``Markup``, an ``__html__``
method (Flask-Babel's lazy strings have one), ``|safe``, ``{% autoescape false %}``, a
translation call in a template whose message is not a literal (Jinja marks the translated
message safe), or a template built from a string at run time. Each is refused here
outside ALLOWED, where every entry says why it is safe. Lazy translations come from
``wenevents.i18n``, whose strings are escaped as HTML (tested below, with a real catalogue
and with ``make messages``' keywords).
"""

import ast
import re
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from babel.messages import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from flask_babel import force_locale, get_domain
from jinja2 import nodes
from markupsafe import escape
from wtforms import Form, SelectField, StringField
from wtforms.fields.choices import SelectChoice

from tests.conftest import make_app
from wenevents import i18n
from wenevents.i18n import lazy_gettext as _l

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "wenevents"
TEMPLATES = ROOT / "templates"

# (file relative to the repository, what it uses): why that is safe.
ALLOWED = {
    ("wenevents/i18n.py", "flask_babel.LazyString"): "LazyText subclasses it, __html__ replaced",
    ("wenevents/i18n.py", "Markup"): "the return type of LazyText.__html__, which escapes",
    ("wenevents/i18n.py", "__html__"): "LazyText.__html__ escapes the whole string",
    ("wenevents/languages.py", "Markup"): "LocalText.__html__: Markup.format escapes the text",
    ("wenevents/languages.py", "__html__"): "LocalText.__html__ escapes the whole text",
    ("wenevents/forms.py", "Markup"): "PlainOptionsSelect: value and label escaped, the same "
    "HTML as WTForms' (tests/test_forms.py)",
}
# Flask-Babel's lazy helpers (their strings declare themselves HTML): use wenevents.i18n.
LAZY = {"lazy_gettext", "lazy_ngettext", "lazy_pgettext", "lazy_npgettext", "LazyString"}
# Ways to make a template out of a string (template injection: ``{{7*7}}`` would run).
TEMPLATE_FROM_STRING = {"render_template_string", "stream_template_string", "from_string"}
TRANSLATIONS = {"_", "gettext", "ngettext", "pgettext", "npgettext"}


# -- The checks ----------------------------------------------------------------------------


def parse(source, path):
    """The module's syntax tree, parsed in a thread of its own: CPython 3.11 sometimes fails
    with "AST constructor recursion depth mismatch" in a thread whose recursion count
    greenlets (the browser tests') have moved (python/cpython#106905)."""
    with ThreadPoolExecutor(max_workers=1) as executor:
        return executor.submit(ast.parse, source, filename=path).result()


def python_problems(source, path, allowed=ALLOWED):
    """``[(path, line, what)]`` for every way ``source`` could mark text as HTML."""
    found = []

    def add(node, what):
        if (path, what) not in allowed:
            found.append((path, node.lineno, what))

    for node in ast.walk(parse(source, path)):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("flask_babel"):
            for alias in node.names:
                if alias.name in LAZY:
                    add(node, f"flask_babel.{alias.name}")
        if isinstance(node, ast.Attribute) and node.attr in LAZY:
            add(node, f"flask_babel.{node.attr}")
        name = node.id if isinstance(node, ast.Name) else getattr(node, "attr", None)
        if isinstance(node, ast.alias):  # from markupsafe import Markup
            name = node.name
        if name == "Markup":
            add(node, "Markup")
        if name in TEMPLATE_FROM_STRING:
            add(node, name)
        if isinstance(node, ast.FunctionDef) and node.name == "__html__":
            add(node, "__html__")
        if name == "__html__" or (isinstance(node, ast.Constant) and node.value == "__html__"):
            add(node, "__html__")
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Name | ast.Attribute):
            called = getattr(node.func, "id", None) or node.func.attr
            if called in ("Environment", "Template"):
                add(node, called)
            for keyword in node.keywords:
                if keyword.arg == "autoescape" and not (
                    isinstance(keyword.value, ast.Constant) and keyword.value.value is True
                ):
                    add(node, "autoescape off")
    return found


def template_problems(env, source, path):
    """``[(path, line, what)]`` for every way a template could print text as HTML."""
    found = []

    def add(node, what):
        if (path, what) not in ALLOWED:
            found.append((path, node.lineno, what))

    tree = env.parse(source, name=path)
    for node in tree.find_all(nodes.Filter):
        if node.name == "safe":
            add(node, "|safe")
    for node in tree.find_all((nodes.MarkSafe, nodes.MarkSafeIfAutoescape)):
        add(node, "marked safe")
    for node in tree.find_all((nodes.EvalContextModifier, nodes.ScopedEvalContextModifier)):
        for option in node.options:
            if option.key == "autoescape" and not (
                isinstance(option.value, nodes.Const) and option.value.value is True
            ):
                add(node, "autoescape off")
    for node in tree.find_all(nodes.Call):
        called = getattr(node.node, "name", None)
        if called == "Markup":
            add(node, "Markup")
        if called in TRANSLATIONS:
            # The message (and ngettext's plural) is marked safe: it must be the author's.
            messages = node.args[: 2 if called in ("ngettext", "pgettext") else 1]
            if called == "npgettext":
                messages = node.args[:3]
            if not messages or not all(
                isinstance(m, nodes.Const) and isinstance(m.value, str) for m in messages
            ):
                add(node, f"{called}() of a message that is not a literal")
    return found


@pytest.fixture(scope="module")
def env(tmp_path_factory):
    with make_app(tmp_path_factory.mktemp("lint")) as app:
        yield app.jinja_env


def python_files():
    return sorted(PACKAGE.rglob("*.py"))


def template_files():
    return sorted(p for p in TEMPLATES.rglob("*") if p.is_file())


def relative(path):
    return path.relative_to(ROOT).as_posix()


# -- The code as it is ---------------------------------------------------------------------


def test_no_module_marks_text_as_html():
    found = [
        problem
        for path in python_files()
        for problem in python_problems(path.read_text(encoding="utf-8"), relative(path))
    ]

    assert found == []


def test_no_template_marks_text_as_html(env):
    found = [
        problem
        for path in template_files()
        for problem in template_problems(env, path.read_text(encoding="utf-8"), relative(path))
    ]

    assert len(template_files()) > 50  # the templates were found
    assert found == []


def test_every_html_and_xml_template_is_autoescaped(env):
    names = [p.relative_to(TEMPLATES).as_posix() for p in template_files()]
    marked_up = [n for n in names if n.endswith((".html", ".xml"))]
    # Mail is plain text: autoescaping would put &amp; into messages.
    plain = [n for n in names if n not in marked_up]

    assert [n for n in marked_up if not env.autoescape(n)] == []
    assert plain and all(n.startswith("mail/") and n.endswith(".txt") for n in plain)


def test_every_allowed_exception_is_still_used():
    """An entry whose use went away is removed, so the list stays the list of exceptions."""
    used = {
        (file, what)
        for path in python_files()
        for file, _line, what in python_problems(
            path.read_text(encoding="utf-8"), relative(path), allowed={}
        )
    }

    assert set(ALLOWED) <= used


# -- The checks catch what they are for ----------------------------------------------------


@pytest.mark.parametrize(
    "source",
    [
        "from flask_babel import lazy_gettext as _l",
        "from flask_babel import lazy_ngettext",
        "import flask_babel\nx = flask_babel.lazy_gettext('a')",
        "from flask_babel.speaklater import LazyString",
        "from markupsafe import Markup",
        "import markupsafe\nx = markupsafe.Markup('<b>')",
        "x = Markup('{}').format(title)",
        "class A:\n    def __html__(self):\n        return self.text",
        "x = value.__html__()",
        "setattr(Text, '__html__', lambda self: self.text)",
        "from flask import render_template_string",
        "x = app.jinja_env.from_string(text)",
        "x = Environment(autoescape=False)",
        "x = jinja2.Template(text)",
    ],
)
def test_python_check_finds(source):
    assert python_problems(source, "wenevents/example.py") != []


def test_python_check_passes_plain_code():
    source = (
        "from flask_babel import gettext as _\nfrom wenevents.i18n import lazy_gettext as _l\n"
        "from markupsafe import escape\n"
        "x = query.where(col.contains(text, autoescape=True))\ny = _l('a'), _('b'), escape(c)"
    )

    assert python_problems(source, "wenevents/example.py") == []


@pytest.mark.parametrize(
    "source",
    [
        "{{ title|safe }}",
        "{{ title | safe }}",
        "{% filter safe %}{{ title }}{% endfilter %}",
        "{% autoescape false %}{{ title }}{% endautoescape %}",
        "{% autoescape flag %}{{ title }}{% endautoescape %}",
        "{{ _(title) }}",
        "{{ _('a %(b)s' ~ c, b=d) }}",
        "{{ gettext(session.title) }}",
        "{{ ngettext(one, 'many', n) }}",
        "{{ Markup(title) }}",
    ],
)
def test_template_check_finds(env, source):
    assert template_problems(env, source, "templates/example.html") != []


def test_template_check_passes_plain_templates(env):
    source = (
        "{{ title }} {{ _('Delete “%(title)s”?', title=title) }} {{ x|forceescape }}"
        "{{ ngettext('%(num)d file', '%(num)d files', n) }}"
        "{% autoescape true %}{{ y }}{% endautoescape %}"
    )

    assert template_problems(env, source, "templates/example.html") == []


# -- wenevents.i18n: text in HTML, translated as before, extracted as before --------------


def test_lazy_translation_escapes_what_it_carries_as_html():
    label = _l("Session %(number)s – %(title)s", number=1, title='</select><b hx-get="/x">')

    assert str(escape(label)) == "Session 1 – &lt;/select&gt;&lt;b hx-get=&#34;/x&#34;&gt;"
    assert str(label) == 'Session 1 – </select><b hx-get="/x">'


def test_lazy_translation_is_escaped_by_wtforms_labels_and_options(env):
    class F(Form):
        title = StringField(_l("Title of %(what)s", what="<i>x</i>"))
        choice = SelectField(choices=[SelectChoice("1", _l("Pick %(it)s", it="<b>y</b>"))])

    form = F()

    assert str(form.title.label()) == '<label for="title">Title of &lt;i&gt;x&lt;/i&gt;</label>'
    assert '<option value="1">Pick &lt;b&gt;y&lt;/b&gt;</option>' in str(form.choice())
    rendered = env.from_string("<p>{{ d }}</p>").render(d=_l("Help for %(x)s", x="<svg>"))
    assert rendered == "<p>Help for &lt;svg&gt;</p>"


def test_lazy_translation_is_looked_up_in_the_catalogue_when_used(tmp_path):
    folder = tmp_path / "translations" / "fr" / "LC_MESSAGES"
    folder.mkdir(parents=True)
    catalog = Catalog(locale="fr")
    catalog.add("Session %(number)s – %(title)s", "Séance %(number)s – %(title)s")
    with (folder / "messages.mo").open("wb") as mo:
        write_mo(mo, catalog)
    label = _l("Session %(number)s – %(title)s", number=2, title="<b>")

    overrides = {"BABEL_TRANSLATION_DIRECTORIES": str(tmp_path / "translations")}
    with make_app(tmp_path, **overrides) as app, app.test_request_context():
        # Flask-Babel keeps loaded catalogues by language for every app of the process.
        get_domain().cache.clear()
        try:
            english = str(label)
            with force_locale("fr"):
                french, french_html = str(label), str(escape(label))
        finally:
            get_domain().cache.clear()

    assert english == "Session 2 – <b>"
    assert (french, french_html) == ("Séance 2 – <b>", "Séance 2 – &lt;b&gt;")


def test_make_messages_extracts_the_apps_lazy_translations():
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    keywords = dict.fromkeys(re.findall(r"-k (\w+)", makefile))
    extracted = {
        message
        for path in (PACKAGE / "agenda" / "forms.py", PACKAGE / "i18n.py")
        for _line, message, _comments, _context in extract_from_file(
            "python", path, keywords={"_": None, "gettext": None, **keywords}
        )
    }

    assert set(keywords) == {"lazy_gettext", "_l"}
    assert "Session %(number)s – %(title)s" in extracted
    assert i18n.lazy_gettext.__module__ == "wenevents.i18n"
