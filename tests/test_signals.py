"""The signals a lower domain sends (wenevents/signals.py) reach the higher domains in
the order of the layers: a receiver may rely on what a lower one did."""

from blinker import Namespace

from wenevents import signals


def test_receivers_answer_in_the_order_they_were_connected():
    signal = signals._signals.signal("test-order")
    receivers = [lambda _sender, n=n: n for n in (3, 1, 2, 5, 4)]
    for receiver in receivers:
        signal.connect(receiver, weak=False)
    try:
        assert signals.answers(signal, None) == [3, 1, 2, 5, 4]
        signal.disconnect(receivers[1])
        assert signals.answers(signal, None) == [3, 2, 5, 4]
    finally:
        for receiver in receivers:
            signal.disconnect(receiver)


def test_first_answer_skips_none_and_has_a_default():
    signal = Namespace().signal("test-first")
    assert signals.first_answer(signal, None, default="none") == "none"


def test_the_agenda_copies_before_the_uploads_that_need_its_items(app):
    order = [r.__module__ for r in signals.meeting_cloned.receivers_for(None)]
    assert order.index("wenevents.agenda.cloning") < order.index("wenevents.uploads.cloning")
