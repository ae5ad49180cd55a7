"""The French and Spanish catalogues are complete, current and safe to format.

* Each .po is 100 % translated: every message has a non-empty ``msgstr`` (every plural form
  of a plural one) and none is marked fuzzy.
* Each .po carries every msgid of the template (wenevents/translations/messages.pot), and the
  template carries every string marked in the code now: Babel's extraction is run here, in
  process, with the project's babel.cfg and the keywords ``make messages`` adds
  (``lazy_gettext``, ``_l``), and a string it finds that the template lacks fails with its
  text and where it is marked.
* ``make messages`` itself (its ``pybabel extract`` line, run in process) extracts every
  one of those strings.
* The placeholders of each translation (``%(name)s``…) are those of its msgid.

Here the extraction walks every folder the mapping covers, ``templates/_macros`` included
(pybabel's command line leaves out folders whose name starts with "." or "_" unless told
otherwise), parses templates with the Jinja extensions the app renders them with (``do``…),
and fails on a template it cannot parse where pybabel would skip it without a word.
"""

import re
import shlex
import tempfile
from functools import cache
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_mapping_cfg
from babel.messages.pofile import read_po

ROOT = Path(__file__).resolve().parent.parent
TRANSLATIONS = ROOT / "wenevents" / "translations"
TEMPLATE = TRANSLATIONS / "messages.pot"
LANGUAGES = ["fr", "es"]
# make messages: pybabel extract -F babel.cfg -k lazy_gettext -k _l
KEYWORDS = {**DEFAULT_KEYWORDS, "lazy_gettext": None, "_l": None}

# Python's %-format conversions, named or not; "%%" is a literal percent sign.
PLACEHOLDER = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(?:\d+|\*)?(?:\.\d+)?[diouxXeEfFgGcrsa%]")


def catalogue(path, locale=None):
    with path.open("rb") as source:
        return read_po(source, locale=locale)


def po_path(language):
    return TRANSLATIONS / language / "LC_MESSAGES" / "messages.po"


def key(message):
    """A message's identity in a catalogue: its context and its (singular) msgid."""
    msgid = message.id[0] if isinstance(message.id, (list, tuple)) else message.id
    return (message.context, msgid)


def describe(key):
    context, msgid = key
    return f"{msgid!r} (context {context!r})" if context else repr(msgid)


def report(lines):
    """Every finding, one a line (pytest would cut a long list short)."""
    return f"{len(lines)}:\n" + "\n".join(lines)


def placeholders(text):
    return {p for p in PLACEHOLDER.findall(text) if p != "%%"}


def jinja_extensions():
    """The extensions of the Jinja environment the app renders its templates with."""
    from wenevents import create_app

    with tempfile.TemporaryDirectory() as instance:
        app = create_app(
            {
                "TESTING": True,
                "DATABASE_URL": "sqlite://",
                "SECRET_KEY": "catalogues",
                "INSTANCE_PATH": instance,
            }
        )
    return sorted(app.jinja_env.extensions)


@cache
def marked_in_code():
    """``{(context, msgid): ["path:line", …]}`` of every string marked for translation.

    babel.cfg's mapping, with the Jinja extensions the app uses (a template the extractor
    cannot parse is an error here, not silently skipped) and in every folder it matches.
    """
    with (ROOT / "babel.cfg").open() as config:
        method_map, options_map = parse_mapping_cfg(config)
    extensions = ",".join(jinja_extensions())
    for pattern, method in method_map:
        if method == "jinja2":
            options = options_map.setdefault(pattern, {})
            known = [e.strip() for e in options.get("extensions", "").split(",") if e.strip()]
            options["extensions"] = ",".join([*known, extensions])
            options["silent"] = "false"
    # Only the top folders the mapping names are walked (not node_modules, say), and in
    # them every folder but hidden ones and caches.
    tops = {pattern.split("/")[0] for pattern, _method in method_map}

    def walk(path):
        parts = Path(path).relative_to(ROOT).parts
        if "*" not in "".join(tops) and parts[0] not in tops:
            return False
        return not parts[-1].startswith(".") and parts[-1] != "__pycache__"

    found = {}
    for filename, lineno, message, _comments, context in extract_from_dir(
        ROOT, method_map, options_map, keywords=KEYWORDS, directory_filter=walk
    ):
        msgid = message[0] if isinstance(message, (list, tuple)) else message
        if msgid:
            found.setdefault((context, msgid), []).append(f"{filename}:{lineno}")
    return found


def make_messages_command(output):
    """The ``pybabel extract`` command of ``make messages`` (from the Makefile), writing to
    ``output``."""
    makefile = (ROOT / "Makefile").read_text().replace("\\\n", " ")
    line = next(line for line in makefile.splitlines() if "pybabel extract" in line)
    words = shlex.split(line.strip())
    words = words[next(i for i, w in enumerate(words) if w.endswith("pybabel")) :]
    words[words.index("-o") + 1] = str(output)
    return ["pybabel", "-q", *words[1:]]


@pytest.fixture(scope="module")
def template():
    return catalogue(TEMPLATE)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_is_fully_translated_without_fuzzy_entries(language):
    po = catalogue(po_path(language), locale=language)

    untranslated, fuzzy = [], []
    for message in po:
        if not message.id:  # the header
            continue
        strings = message.string if message.pluralizable else (message.string,)
        complete = all(s and s.strip() for s in strings)
        if message.pluralizable:
            complete = complete and len(strings) == po.num_plurals
        if not complete:
            untranslated.append(describe(key(message)))
        if message.fuzzy:
            fuzzy.append(describe(key(message)))

    assert (untranslated, fuzzy) == ([], []), report(untranslated + fuzzy)


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalogue_carries_every_msgid_of_the_template(template, language):
    po = catalogue(po_path(language), locale=language)

    in_po = {key(m) for m in po if m.id}
    missing = sorted({key(m) for m in template if m.id} - in_po, key=str)

    assert [describe(k) for k in missing] == [], report([describe(k) for k in missing])


def test_template_carries_every_string_marked_in_the_code(template):
    in_code = marked_in_code()
    in_template = {key(m) for m in template if m.id}
    assert len(in_code) > 500  # the extraction read the code

    missing = [
        f"{describe(k)} at {', '.join(places)}"
        for k, places in sorted(in_code.items(), key=lambda item: str(item[0]))
        if k not in in_template
    ]

    assert missing == [], report(missing)


def test_make_messages_extracts_every_string_marked_in_the_code(tmp_path, monkeypatch):
    """``make messages`` as the Makefile writes it: its template must hold what the code
    marks (pybabel skips folders starting with "_" by default, and a template its Jinja
    cannot parse, silently)."""
    monkeypatch.chdir(ROOT)
    output = tmp_path / "messages.pot"
    CommandLineInterface().run(make_messages_command(output))
    extracted = {key(m) for m in catalogue(output) if m.id}

    missing = [
        f"{describe(k)} at {', '.join(places)}"
        for k, places in sorted(marked_in_code().items(), key=lambda item: str(item[0]))
        if k not in extracted
    ]

    assert missing == [], report(missing)


@pytest.mark.parametrize("language", LANGUAGES)
def test_translation_placeholders_match_the_msgid(language):
    po = catalogue(po_path(language), locale=language)

    different = []
    for message in po:
        if not message.id:
            continue
        if message.pluralizable:
            # The plural form carries every placeholder; the singular may leave out the
            # number, as the English singular does ("Download this registration:").
            singular, plural = placeholders(message.id[0]), placeholders(message.id[1])
            expected = singular | plural
            forms = [
                (string, singular if index == 0 else plural)
                for index, string in enumerate(message.string)
            ]
        else:
            expected = placeholders(message.id)
            forms = [(message.string, expected)]
        for string, required in forms:
            found = placeholders(string) if string else set()
            if string and not (required <= found <= expected):
                different.append(
                    f"{describe(key(message))} -> {string!r}: "
                    f"{sorted(found)} instead of {sorted(required)}"
                )

    assert different == [], report(different)
