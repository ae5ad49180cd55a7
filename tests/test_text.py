"""Text fit to keep (wenevents/text.py): what is removed, what is kept."""

import pytest

from wenevents.text import MAX_MARKS, clean_line, clean_text, stacked_marks


@pytest.mark.parametrize(
    ("text", "kept"),
    [
        ("Ali\u202egnp.exe", "Alignp.exe"),  # a bidi override
        ("a\u200bb\ufeffc", "abc"),  # zero-width space, byte-order mark
        ("tab\there", "tab here"),
        ("nul\x00byte", "nulbyte"),
        ("lone\ud800surrogate", "lonesurrogate"),
        ("a\u200cb", "ab"),  # a non-joiner between Latin letters only tells names apart
        ("می\u200cخواهم", "می\u200cخواهم"),  # where Persian needs it
        # Not printable, yet nothing invisible: a no-break space, a line separator and a
        # private-use character stay.
        ("a\u00a0b\u2028c\ue000", "a\u00a0b\u2028c\ue000"),
        ("Cafe\u0301", "Café"),  # NFC
    ],
)
def test_clean_line_removes_what_is_invisible_and_nothing_else(text, kept):
    assert clean_line(text) == kept


def test_clean_text_keeps_line_breaks_and_tabs():
    assert clean_text("one\r\ntwo\tthree\u2066x\x07") == "one\r\ntwo\tthreex"


@pytest.mark.parametrize(
    ("text", "stacked"),
    [
        ("x" + "\u0301" * MAX_MARKS, False),
        ("x" + "\u0301" * (MAX_MARKS + 1), True),
        ("Ranger" + "\u0336" * 6, True),
        ("e" + "\u0301" * (MAX_MARKS + 1), False),  # NFC makes the first é
        ("Tiếng Việt", False),
        ("plain ascii", False),
        ("", False),
        (None, False),
    ],
)
def test_stacked_marks_counts_marks_after_nfc(text, stacked):
    assert stacked_marks(text) is stacked
