"""The forms of test_crafted_input.py: every form a page shows, posted back with one field
crafted at a time, then every field at once (see that file's docstring). In a file of its
own so that it runs on another worker than the paths and queries (``--dist loadfile``).
"""

import pytest

from tests.security.test_crafted_input import (  # noqa: F401  (fixtures: app_config, world)
    BIG,
    FIELD_VALUES,
    INVALID_UTF8,
    LONE_SURROGATE,
    NUL,
    RAW,
    ROLES,
    URLENCODED,
    Findings,
    _declared_fields,
    _multipart,
    _posted_forms,
    _routes,
    _sign_in,
    _token,
    _url,
    _urlencoded,
    app_config,
    world,
)


@pytest.mark.parametrize("role", ROLES, ids=["stranger", "organiser"])
def test_crafted_form_values_never_give_500(app, client, world, role):  # noqa: F811
    if role:
        _sign_in(client, role)
    findings, token = Findings(), _token(client)
    shown = _posted_forms(app, client, world)
    declared = sorted(_declared_fields())
    for rule, method in _routes(app):
        if method != "POST":
            continue
        if rule.endpoint in shown:
            path, defaults = shown[rule.endpoint]
            fields = sorted(set(defaults) - {"csrf_token"})
            # One field at a time, the others as the page gave them, so that the crafted
            # value is what reaches the service; htmx every other time.
            groups = [[name] for name in fields]
        else:
            # No page showed this form to this role: every declared name at once.
            path, defaults, fields = _url(rule, world), {}, declared
            groups = [declared]
        defaults = {**defaults, "csrf_token": token}
        for index, (group, value) in enumerate(
            (group, value) for group in groups for value in FIELD_VALUES
        ):
            body = _urlencoded({**defaults, **dict.fromkeys(group, value)})
            headers = {"HX-Request": "true"} if index % 2 else {}
            response = client.post(path, data=body, content_type=URLENCODED, headers=headers)
            findings.check(response, f"POST {path} {group[0] if len(group) == 1 else '*'}={value}")
        # Then every field at once: what no field may hold is refused whole.
        for what, body, content_type in [
            (NUL, _urlencoded({**defaults, **dict.fromkeys(fields, NUL)}), URLENCODED),
            (LONE_SURROGATE, _urlencoded({**defaults, **dict.fromkeys(fields, LONE_SURROGATE)}),
             URLENCODED),
            (INVALID_UTF8, _urlencoded({**defaults, **dict.fromkeys(fields, INVALID_UTF8)}),
             URLENCODED),
            ("2 MB", _urlencoded({**defaults, fields[0] if fields else "x": BIG}), URLENCODED),
            ("5,000 parts", _urlencoded({**defaults, **{f"f{n}": "x" for n in range(5000)}}),
             URLENCODED),
            # Werkzeug decodes a multipart body's invalid UTF-8 as U+FFFD, not refusing it.
            ("multipart", *_multipart({**defaults, **dict.fromkeys(fields, RAW)})),
            ("multipart NUL", *_multipart({**defaults, **dict.fromkeys(fields, b"a\x00b")})),
        ]:  # fmt: skip
            response = client.post(path, data=body, content_type=content_type)
            findings.check(response, f"POST {path} (every field: {what[:20]})")
    findings.assert_none()
