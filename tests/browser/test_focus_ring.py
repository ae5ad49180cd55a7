"""Every focusable thing shows a focus ring of at least 3:1 against what it is drawn on
(WCAG 2.2, 1.4.11): tabbing through the header and a page, as a visitor and signed in."""

import pytest

pytestmark = pytest.mark.browser

# Where the focused element's ring is drawn, and the background under it: the colour of the
# first box with a background under the middle of each side of the ring (the element itself
# when the ring is drawn inside it, with a negative offset).
RING = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  const parse = (c) => {
    const m = c.match(/rgba?\\(([\\d.]+),? ([\\d.]+),? ([\\d.]+)(?:,? \\/? ?([\\d.]+))?\\)/);
    return m ? [+m[1], +m[2], +m[3], m[4] === undefined ? 1 : +m[4]] : null;
  };
  const backgroundAt = (x, y) => {
    let node = document.elementsFromPoint(x, y)[0];
    for (; node; node = node.parentElement) {
      const c = parse(getComputedStyle(node).backgroundColor);
      if (c && c[3] > 0) return c;
    }
    return [255, 255, 255, 1];
  };
  const width = parseFloat(style.outlineWidth) || 0;
  const offset = parseFloat(style.outlineOffset) || 0;
  const r = el.getBoundingClientRect();
  const d = offset + width / 2;  // from the border box to the middle of the ring
  const clampX = (x) => Math.min(Math.max(x, 0), innerWidth - 1);
  const clampY = (y) => Math.min(Math.max(y, 0), innerHeight - 1);
  const points = [
    [r.left + r.width / 2, r.top - d], [r.left + r.width / 2, r.bottom + d],
    [r.left - d, r.top + r.height / 2], [r.right + d, r.top + r.height / 2],
  ].filter(([x, y]) => x >= 0 && y >= 0 && x < innerWidth && y < innerHeight);
  return {
    what: el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + " " +
      (el.innerText || el.value || el.getAttribute("aria-label") || "").trim().slice(0, 40),
    style: style.outlineStyle,
    width: width,
    colour: parse(style.outlineColor),
    backgrounds: (points.length ? points : [[clampX(r.left), clampY(r.top)]])
      .map(([x, y]) => backgroundAt(x, y)),
  };
}"""


def luminance(rgb):
    def channel(c):
        c /= 255
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in rgb[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a, b):
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def test_contrast_of_amber_and_white_on_brand_green_matches_the_audit():
    # The audit measured the old amber ring on the green header at 1.12:1.
    assert round(contrast((0x8A, 0x4B, 0x00), (0x1F, 0x5F, 0x3F)), 2) == 1.12
    assert round(contrast((255, 255, 255), (0x1F, 0x5F, 0x3F)), 2) == 7.59


def weak_rings(page, tabs=80):
    """``[(element, what is wrong)]`` for each element reached by Tab whose ring is missing,
    thinner than 2 px or under 3:1 against a background it is drawn on."""
    found, seen = [], set()
    for _ in range(tabs):
        page.keyboard.press("Tab")
        ring = page.evaluate(RING)
        if ring["what"] in seen:
            continue
        seen.add(ring["what"])
        if ring["what"].startswith("body"):
            break
        if ring["style"] == "none" or ring["width"] < 2:
            found.append((ring["what"], f"{ring['style']} {ring['width']}px"))
            continue
        worst = min(contrast(ring["colour"], bg) for bg in ring["backgrounds"])
        if worst < 3:
            found.append((ring["what"], round(worst, 2)))
    return found, seen


@pytest.mark.parametrize(
    "path", ["/gmwen4/", "/gmwen4/schedule", "/gmwen4/register", "/networks/", "/login"]
)
def test_focus_ring_of_visitor_pages_contrasts_three_to_one(new_context, live_url, path):
    page = new_context(viewport={"width": 1280, "height": 900}).new_page()
    page.goto(live_url + path)

    weak, seen = weak_rings(page)

    assert len(seen) >= 4
    assert weak == []


@pytest.mark.parametrize("width", [390, 1280])
def test_focus_ring_of_organiser_header_and_pages_contrasts_three_to_one(
    new_context, live_url, passwords, width
):
    page = new_context(viewport={"width": width, "height": 844}).new_page()
    page.goto(live_url + "/login")
    page.get_by_label("Email address").fill("organiser@example.org")
    page.get_by_label("Password", exact=True).fill(passwords["organiser@example.org"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(live_url + "/")

    found = {}
    for path in ["/", "/manage/meetings", "/manage/meetings/gmwen4/edit", "/manage/users"]:
        page.goto(live_url + path)
        found[path] = weak_rings(page)[0]

    assert {path: weak for path, weak in found.items() if weak} == {}
