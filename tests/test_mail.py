"""Mail headers stay one line whatever text goes into them."""

from tests.conftest import outbox
from wenevents import mail


def test_mail_subject_with_line_breaks_is_sent_on_one_line(app):
    with app.test_request_context():
        mail.send(
            "person@example.org",
            "Reminder: 4th Global Meeting\r\nBcc: victim@example.org\n\u202eslides",
            "password_reset",
            link="http://127.0.0.1:5000/reset/x",
            hours=2,
        )

    [message] = outbox(app)
    assert message["Subject"] == "Reminder: 4th Global Meeting Bcc: victim@example.org slides"
    assert message["Bcc"] is None
