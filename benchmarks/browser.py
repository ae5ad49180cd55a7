"""The schedule in a cold browser: requests, bytes transferred and first contentful paint
in headless Chromium (Debian's /usr/bin/chromium, through Playwright), against the same
HTML bytes, with the same styles and scripts, served by the static ceiling
(benchmarks/ceiling.py) in the same run.

Each load uses a new browser context, so nothing is cached. Bytes are the encoded sizes
of the responses (headers and bodies) as Chromium received them.
"""

import shutil
import statistics

CHROMIUM = "/usr/bin/chromium"
# Medians of 15 loads moved by 20-40 ms between runs of the same pages here; 31 hold
# within a frame or two.
LOADS = 31
# Issue 15's goals for the cold schedule.
MAX_REQUESTS, MAX_KIB = 5, 60
# Chromium paints on frames: two first paints within one frame (60 Hz) are the same paint.
FRAME_MS = 1000 / 60
PAINT = """new Promise(resolve => {
  const fallback = () => resolve(
    performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd);
  const timer = setTimeout(fallback, 1000);
  new PerformanceObserver(list => {
    const entry = list.getEntriesByName('first-contentful-paint')[0];
    if (entry) { clearTimeout(timer); resolve(entry.startTime); }
  }).observe({type: 'paint', buffered: true});
})"""


def available():
    """Why the browser figures cannot be taken here, or None."""
    if not shutil.which(CHROMIUM):
        return f"{CHROMIUM} is missing: the cold-browser figures are skipped."
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright is not installed: the cold-browser figures are skipped."
    return None


def cold_loads(*urls, loads=LOADS):
    """For each of ``urls``: the median first contentful paint (ms), the requests and the
    KiB of ``loads`` cold loads, taken in turn (one of each, then again)."""
    from playwright.sync_api import sync_playwright

    figures = [{"paints": [], "requests": [], "sizes": []} for _ in urls]
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            _load(browser, urls[0])  # the browser's own first start, counted for neither
            for turn in range(loads):
                # Each goes first in every other turn: a load after another one (its context
                # being closed) is not the same as a load after the other's.
                order = list(zip(urls, figures, strict=True))
                for url, figure in order if turn % 2 == 0 else reversed(order):
                    paint, requests, kib = _load(browser, url)
                    figure["paints"].append(paint)
                    figure["requests"].append(requests)
                    figure["sizes"].append(kib)
        finally:
            browser.close()
    return [
        {
            "paint": statistics.median(f["paints"]),
            "requests": max(f["requests"]),
            "kib": max(f["sizes"]),
        }
        for f in figures
    ]


def _load(browser, url):
    """One load of ``url`` in a new context (nothing cached): first paint, requests, KiB."""
    context = browser.new_context(viewport={"width": 390, "height": 844})
    try:
        page = context.new_page()
        seen = []
        # A function of ours: Playwright marks the handler, which a bound builtin refuses.
        page.on("requestfinished", lambda request: seen.append(request))
        page.goto(url, wait_until="load")
        # The paint entry can come after "load": waited for (a buffered observer), and only
        # when none comes within a second is the end of DOMContentLoaded taken instead.
        paint = page.evaluate(PAINT)
        total = 0
        for request in seen:
            sizes = request.sizes()
            total += sizes["responseBodySize"] + sizes["responseHeadersSize"]
        return paint, len(seen), total / 1024
    finally:
        context.close()


def print_figures(ours, static, scale):
    """The cold-browser lines of the report, with the goals."""
    print()
    print(f"Cold browser at {scale}x (headless Chromium, 390 px, median of {LOADS} loads):")
    print(
        f"  schedule: first paint {ours['paint']:.0f} ms, {ours['requests']} requests, "
        f"{ours['kib']:.1f} KiB; the same HTML from the static ceiling: first paint "
        f"{static['paint']:.0f} ms"
    )
    met = ours["requests"] <= MAX_REQUESTS and ours["kib"] <= MAX_KIB
    print(
        f"Goal: at most {MAX_REQUESTS} requests and {MAX_KIB} KiB: "
        f"{'met' if met else 'NOT met'}; first paint no later than the static page "
        f"(within a frame, {FRAME_MS:.1f} ms): "
        f"{'met' if ours['paint'] <= static['paint'] + FRAME_MS else 'NOT met'}"
    )
