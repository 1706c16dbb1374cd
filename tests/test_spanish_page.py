"""The Spanish share kit's small words that are code: sizes in the page's number format and
source items that start with a capital."""

from __future__ import annotations

from conftest import ROOT

from toolkit.core.config import load_config
from toolkit.core.languages import NumberFormat
from toolkit.library import load_library
from toolkit.pages.congress.models import state_in_sentence, state_name
from toolkit.pages.site.content import _source, human_size


def test_sizes_follow_the_number_format_of_the_page() -> None:
    config = load_config(ROOT / "config" / "campaign.yaml")
    assert human_size(1_640_000, config.number_format("es")) == "1.6 MB"  # as the config says
    assert human_size(1_640_000, NumberFormat(".", ",")) == "1,6 MB"
    assert human_size(48_200, NumberFormat()) == "48 KB"


def test_every_source_item_starts_with_a_capital() -> None:
    library = load_library(load_config(ROOT / "config" / "campaign.yaml"))
    first_returns = _source(library.statistics["mpp-first-returns"], "es")
    assert first_returns.label.startswith("Enero de 2019: el mes en que")
    for stat in library.statistics.values():
        for lang in ("en", "es"):
            label = _source(stat, lang).label
            assert not label[:1].islower(), (stat.id, lang, label)


def test_the_virgin_islands_in_spanish_end_a_sentence_with_one_dot() -> None:
    assert state_name("VI", "es") == "Islas Vírgenes de los Estados Unidos"
    assert f"Vivo en {state_in_sentence('VI', 'es')}.".endswith("de los Estados Unidos.")
