"""The layers of docs/architecture.md, kept true: the base modules at the package root
import no domain, and a domain imports only the domains below it (lazy imports inside
functions count too). A lower domain that needs a higher one's answer sends a signal
(wenevents/signals.py) instead."""

import ast
import re
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "wenevents"
ARCHITECTURE = PACKAGE.parent / "docs" / "architecture.md"

# Lowest first: each may import those before it.
DOMAINS = [
    "audit",
    "mail",
    "accounts",
    "networks",
    "meetings",
    "agenda",
    "registration",
    "uploads",
    "letters",
    "mymeeting",
    "api",
]
# The app's assembly: these put the domains together, so they may import any of them.
ASSEMBLY = {"__init__", "cli", "models", "demo", "migrations"}


def _layer(module):
    """``module`` (dotted, under wenevents) → a domain, "base", or "assembly"."""
    top = module.split(".")[1] if "." in module else "__init__"
    if top in DOMAINS:
        return top
    return "assembly" if top in ASSEMBLY else "base"


def _imports(path):
    """The wenevents modules that ``path`` imports, with their line numbers."""
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "wenevents":
                for alias in node.names:
                    yield f"wenevents.{alias.name}", node.lineno
            elif node.module.startswith("wenevents."):
                yield node.module, node.lineno
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("wenevents."):
                    yield alias.name, node.lineno


def _module_name(path, package):
    parts = path.relative_to(package.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def crossings(package=PACKAGE):
    """Every import that runs the wrong way: ``(file:line, from layer, to layer)``."""
    wrong = []
    for path in sorted(package.rglob("*.py")):
        source = _layer(_module_name(path, package))
        if source == "assembly":
            continue
        for target_module, line in _imports(path):
            target = _layer(target_module)
            where = f"{path.relative_to(package.parent)}:{line}"
            if (
                target == "assembly"
                or (source == "base" and target != "base")
                or (
                    source in DOMAINS
                    and target in DOMAINS
                    and DOMAINS.index(target) > DOMAINS.index(source)
                )
            ):
                wrong.append((where, source, target))
    return wrong


def test_layering_imports_only_run_down():
    assert crossings() == []


def test_layering_order_is_the_one_documented():
    """The diagram in docs/architecture.md lists the domains in this order, top first."""
    text = ARCHITECTURE.read_text()
    diagram = re.search(r"<!-- layers -->\n```text\n(.*?)```", text, re.S).group(1)
    listed = re.findall(r"^\s*(\w+)\s{2,}", diagram, re.M)
    domains = [name for name in listed if name in DOMAINS]
    assert domains == DOMAINS[::-1]


def test_layering_check_finds_upward_and_base_imports(tmp_path):
    """The check itself can fail: a lazy import of a higher domain, a base module importing
    a domain, and a domain importing the assembly are each reported; downward ones are not."""
    package = tmp_path / "wenevents"
    (package / "agenda").mkdir(parents=True)
    (package / "agenda" / "editing.py").write_text(
        "from wenevents.meetings.models import Meeting\n"
        "from wenevents import locks\n"
        "def f():\n    from wenevents.uploads import services\n"
    )
    (package / "web.py").write_text("from wenevents.accounts.models import User\n")
    (package / "cli.py").write_text("from wenevents.uploads import services\n")
    (package / "meetings").mkdir()
    (package / "meetings" / "views.py").write_text("from wenevents import demo\n")
    assert crossings(package) == [
        ("wenevents/agenda/editing.py:4", "agenda", "uploads"),
        ("wenevents/meetings/views.py:1", "meetings", "assembly"),
        ("wenevents/web.py:1", "base", "accounts"),
    ]
