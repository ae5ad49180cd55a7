"""Reading what people and pages send: numbers that fit a column, text fit to keep."""

import re
import unicodedata

import idna

# Every id and number column is an INTEGER: PostgreSQL's holds up to 2**31 - 1 (and
# refuses more with an error), SQLite's up to 2**63 - 1. Nothing larger is ever an id.
MAX_INT = 2**31 - 1
# An email address: 64 characters before the @, 255 after (RFC 5321); columns hold this.
MAX_EMAIL = 320


def bounded_int(value):
    """An integer read from a query string or form, or ValueError: ASCII digits (a minus
    sign allowed) within what a column holds. For ``request.args.get(name, type=…)``,
    which then gives the default; WTForms' IntegerField is bounded in forms.Form."""
    text = value.strip() if isinstance(value, str) else str(value)
    digits = text.removeprefix("-")
    if not (digits.isascii() and digits.isdigit()) or len(digits) > len(str(MAX_INT)):
        raise ValueError(value)
    number = int(text)
    if abs(number) > MAX_INT:
        raise ValueError(value)
    return number


def to_id(value):
    """A positive id from a string a person or a page sent, or None."""
    try:
        number = bounded_int(str(value or ""))
    except ValueError:
        return None
    return number if number > 0 else None


# -- Text fit to keep ----------------------------------------------------------------------

# More combining marks than this on one letter is "Zalgo" text that spills over the lines
# around it; fully pointed Hebrew, Vietnamese and the Indic scripts need at most 3 or 4.
MAX_MARKS = 4
_JOINERS = ("\u200c", "\u200d")


def clean_line(text):
    """One line of text as it is stored and shown (names, titles, file names): NFC,
    without what is invisible, a tab or line break made a space (see ``clean_text``)."""
    return _clean(text, keep="")


def clean_text(text):
    """Text as it is stored and shown: NFC, and without what is invisible or unstorable.

    Removed: format characters (Unicode category Cf: the bidi controls U+202A–U+202E,
    U+2066–U+2069, U+200E/F, U+061C that make ``Ali\u202egnp.exe`` read ``Aliexe.png``;
    the zero-width U+200B, U+2060, U+FEFF; soft hyphens, tag characters); controls other
    than line breaks and tabs (NUL among them, which PostgreSQL refuses); lone surrogates
    (no UTF-8 holds them). They are stripped rather than refused because a person cannot
    see them to take them out: they come with pasted text.

    Kept: ZERO WIDTH JOINER and NON-JOINER where the script needs them (Persian
    ``می‌خواهم``, Sinhala ``ශ්‍රී``, Devanagari half forms) — exactly where IDNA's CONTEXTJ
    rule (RFC 5892, in the ``idna`` package) allows them: after a virama, or a non-joiner
    between Arabic-script letters that join. Elsewhere (between Latin letters, say) they
    only make two look-alike names differ, so they go.
    """
    return _clean(text, keep="\n\r\t")


def _clean(text, keep):
    if not isinstance(text, str):
        return text
    text = unicodedata.normalize("NFC", text)
    if text.isprintable():
        # Nothing of categories Cc, Cf or Cs: the common case, without a pass per character.
        return text

    def replace(match):
        char = match.group()
        if char in _JOINERS:
            return char if _joins(text, match.start()) else ""
        if unicodedata.category(char) == "Cc":
            if char in keep:
                return char
            return " " if char.isspace() else ""
        return ""

    # Not printable for another reason (a no-break space, a private-use character): kept.
    invisible = _one_of(text, ("Cc", "Cf", "Cs"))
    return re.sub(invisible, replace, text) if invisible else text


def _joins(text, pos):
    # The rule looks at the neighbours only; a window keeps it within idna's input limit.
    start = max(0, pos - 64)
    try:
        return pos > 0 and idna.valid_contextj(text[start : pos + 64], pos - start)
    except (ValueError, idna.IDNAError):
        return False


def stacked_marks(text):
    """Whether more than MAX_MARKS combining marks follow one another (after NFC)."""
    text = unicodedata.normalize("NFC", text or "")
    if text.isascii():
        return False
    marks = _one_of(text, ("Mn", "Me"))
    return bool(marks) and re.search(f"{marks}{{{MAX_MARKS + 1}}}", text) is not None


def _one_of(text, categories):
    """A pattern matching one of the characters of ``text`` that are of the Unicode
    ``categories`` ("" if none is): taken from the text's distinct characters (a set is
    made in C), so the scan for them runs as a regular expression, in C too. A pattern of
    every such character of Unicode took a second to build, paid by each process's first
    form."""
    found = sorted(c for c in set(text) if unicodedata.category(c) in categories)
    return f"[{''.join(map(re.escape, found))}]" if found else ""
