"""What the share kit's build, its page writer and its members section share: where the
templates and static files are, which page a language gets, what a build did (`SiteResult`) and
what the members section is made from. It imports nothing else of `toolkit.pages.site`, so the
build,
the writer and the members section each import it without importing one another in a circle."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from toolkit.core.config import Config
from toolkit.core.problems import display_path

HERE = Path(__file__).resolve().parent
TEMPLATES = HERE / "templates"
STATIC = HERE / "static"
CONGRESS = HERE.parent / "congress"


@dataclass
class SiteResult:
    """What a site build did."""

    out_dir: Path
    written: int = 0
    unchanged: int = 0
    removed: int = 0
    pages: list[str] = field(default_factory=list)
    #: the last day the built site stays true (see `toolkit.pages.site.validity`), and what sets it
    valid_until: date | None = None
    valid_why: str = ""

    def summary(self) -> str:
        """'wrote 3, unchanged 120, removed 0 → site/ (open site/index.html)', then the date
        until which the site is valid."""
        text = f"wrote {self.written}, unchanged {self.unchanged}"
        if self.removed:
            text += f", removed {self.removed}"
        index = display_path(self.out_dir / "index.html")
        valid = (f"valid until {self.valid_until.isoformat()} ({self.valid_why}'s review date): "
                 "rebuild it before then, e.g. daily" if self.valid_until else
                 "valid until: no review date on it")
        return f"{text} → {display_path(self.out_dir)}/ (open {index})\n{valid}"


def page_path(config: Config, lang: str) -> str:
    """Where `lang`'s page goes, relative to the site folder."""
    return "index.html" if lang == config.languages[0] else f"{lang}/index.html"


def member_files(config: Config) -> list[Path]:
    """What the members section is made from besides the library and the site: the data, its
    words and the `toolkit.pages.congress` package (code, templates, script); [] without data."""
    from toolkit.pages.congress.loader import members_dir, members_path

    if not members_path(config).is_file():
        return []
    code = sorted(p for p in CONGRESS.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return [members_path(config), members_dir(config) / "content.yaml", *code]
