"""axe-core finds no accessibility violation on any public page, on a phone or a desktop."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from .pages import PATHS

pytestmark = pytest.mark.browser

VIEWPORTS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture(scope="module")
def axe():
    return Axe()


def describe(violations):
    """One line per failing element: rule id, impact, target selector and axe's summary."""
    lines = []
    for violation in violations:
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = node.get("failureSummary", "").replace("\n", " ")
            lines.append(f"{violation['id']} ({violation['impact']}) at {target}: {summary}")
    return "\n".join(lines)


@pytest.mark.parametrize("viewport", VIEWPORTS.keys())
@pytest.mark.parametrize("path", PATHS)
def test_axe_finds_no_violations_on_public_page(new_context, live_url, axe, path, viewport):
    # axe is injected as a script: the site's Content-Security-Policy would refuse it.
    context = new_context(bypass_csp=True, viewport=VIEWPORTS[viewport])
    page = context.new_page()
    page.goto(live_url + path)

    violations = axe.run(page).response["violations"]

    assert violations == [], f"{path} at {viewport} size:\n{describe(violations)}"
