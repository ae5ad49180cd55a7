"""The public pages every browser test visits, with the main heading each must show."""

# (path, the text of its <h1>)
PUBLIC_PAGES = [
    ("/", "Global Meeting of Wildlife Enforcement Networks"),
    ("/editions", "Editions of the Global Meeting"),
    ("/gmwen4/", "4th Global Meeting of Wildlife Enforcement Networks"),
    ("/gmwen1/", "First Global Meeting of Wildlife Enforcement Networks"),
    ("/gmwen4/schedule", "Schedule"),
    ("/gmwen4/schedule?day=2023-11-22", "Schedule"),
    ("/gmwen4/schedule?day=all", "Schedule"),
    ("/gmwen4/schedule?network=asean-wen&day=all", "Schedule"),
    ("/gmwen4/schedule?tz=Asia/Tokyo&day=all", "Schedule"),
    ("/gmwen4/schedule?tz=Mars/Olympus", "Schedule"),
    ("/gmwen1/schedule", "Schedule"),
    ("/gmwen4/changelog", "Changes to the agenda"),
    (
        "/gmwen4/sessions/1",
        "Session 1 – Outcomes from the 3rd Global meeting of WENs and activities undertaken "
        "in this regard",
    ),
    (
        "/gmwen4/sessions/2?tz=Europe/Paris",
        "Session 2 – Increased collaboration and communication, both within and between networks",
    ),
    ("/gmwen4/sessions/4", "Session 4 – Closed session"),
    ("/networks/", "Wildlife enforcement networks"),
    ("/networks/?q=africa", "Wildlife enforcement networks"),
    ("/networks/asean-wen", "ASEAN-WEN"),
    ("/no/such/page", "Page not found"),
]

NOT_FOUND_PATH = "/no/such/page"

PATHS = [path for path, _heading in PUBLIC_PAGES]
