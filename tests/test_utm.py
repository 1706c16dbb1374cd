"""UTM tags in composition (issue 26): every platform's composed text carries them, lengths on
X and Mastodon are those of the untagged text (a URL counts 23), Bluesky counts what it shows
(the short form), and a text frozen before tagging is shown exactly as frozen."""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlsplit

from conftest import edit

from toolkit.compose.lengths import grapheme_length
from toolkit.compose.text import compose_message
from toolkit.compose.utm import bluesky_display, short_form, tag_url
from toolkit.core.config import load_config
from toolkit.library import load_library

MESSAGE = "violence-over-1500"


def test_each_platform_tags_its_own_source_and_content(project) -> None:
    config = load_config(project)
    library = load_library(config)
    for platform in ("x", "mastodon", "bluesky", "outbox"):
        for lang in ("en", "es"):
            text = compose_message(config, library, MESSAGE, lang, platform).text
            url = text.rsplit(" ", 1)[1]
            assert url.startswith("https://www.cvt.org/EndMPP?")
            assert parse_qs(urlsplit(url).query) == {
                "utm_source": [platform], "utm_medium": ["social"],
                "utm_campaign": ["saveasylum"], "utm_content": [f"{MESSAGE}-{lang}"]}


def test_lengths_are_unchanged_on_x_and_mastodon_and_short_on_bluesky(project) -> None:
    config = load_config(project)
    library = load_library(config)
    for lang in ("en", "es"):
        for platform in ("x", "mastodon"):
            tagged = compose_message(config, library, MESSAGE, lang, platform)
            plain = compose_message(config, library, MESSAGE, lang, platform, utm={})
            assert tagged.text != plain.text and tagged.length == plain.length
        tagged = compose_message(config, library, MESSAGE, lang, "bluesky")
        plain = compose_message(config, library, MESSAGE, lang, "bluesky", utm={})
        shown = plain.text.replace("https://www.cvt.org/EndMPP", "cvt.org/EndMPP")
        assert bluesky_display(tagged.text)[0] == shown
        assert tagged.length == grapheme_length(shown) == plain.length - len("https://www.")


def test_bluesky_byte_ranges_point_at_the_short_display() -> None:
    url = tag_url("https://www.cvt.org/EndMPP", {"utm_source": "bluesky", "utm_content": "a-es"})
    text = f"Más de 1,500 ataques 🆘 {url}. Y otra: {url}"
    shown, links = bluesky_display(text)
    assert shown == "Más de 1,500 ataques 🆘 cvt.org/EndMPP. Y otra: cvt.org/EndMPP"
    raw = shown.encode()
    assert [(raw[a:b].decode(), u) for a, b, u in links] == [("cvt.org/EndMPP", url)] * 2
    assert links[0][0] == len("Más de 1,500 ataques 🆘 ".encode()) > len("Más de 1,500 ataques 🆘 ")


def test_text_frozen_before_tagging_is_shown_as_frozen() -> None:
    old = "Más de 1,500 ataques. https://www.cvt.org/EndMPP #SaveAsylum"
    assert bluesky_display(old) == (old, [])
    assert short_form("https://www.cvt.org/EndMPP/?a=1") == "cvt.org/EndMPP"


def test_tags_off_and_named_in_the_config(project, run_cli) -> None:
    with open(project, "a", encoding="utf-8") as f:
        f.write("\nutm:\n  campaign: endmpp-2026\n  medium: organic\n")
    doc = json.loads(run_cli("compose", MESSAGE, "--platform", "mastodon", "--json").stdout)
    assert "utm_source=mastodon&utm_medium=organic&utm_campaign=endmpp-2026&" in doc["text"]
    edit(project, "  campaign: endmpp-2026", "  enabled: false")
    doc = json.loads(run_cli("compose", MESSAGE, "--json").stdout)
    assert doc["text"].endswith("#SaveAsylum https://www.cvt.org/EndMPP")
    edit(project, "  enabled: false", "  enabled: maybe")
    bad = run_cli("check")
    assert bad.exit_code == 1 and "utm.enabled" in bad.output and "Traceback" not in bad.output


def test_a_post_approved_before_tagging_publishes_its_frozen_text(planner, project,
                                                                  pin_clock) -> None:
    """Tagging is part of composition: approval freezes the tagged text; a post approved
    before tagging existed (its frozen text untagged) is published exactly as frozen."""
    from datetime import UTC, datetime, timedelta

    from sqlalchemy import update

    from toolkit.scheduler.runner import build_dispatcher
    from toolkit.store.tables import posts

    now = pin_clock(datetime(2026, 11, 30, 15, 0, tzinfo=UTC))
    at = now + timedelta(hours=1)
    new, old = (planner.add("courts-suspended", "outbox", "en", at, now, "c") for _ in "ab")
    planner.approve([new, old], "lead", now)
    tagged = planner.store.get(new).text
    assert tagged.endswith("?utm_source=outbox&utm_medium=social&utm_campaign=saveasylum"
                           "&utm_content=courts-suspended-en")
    frozen_before = tagged.split("?utm_source")[0]  # as an approval before issue 26 froze it
    with planner.store.engine.begin() as conn:
        conn.execute(update(posts).where(posts.c.id == old).values(text=frozen_before))
    build_dispatcher(config=planner.config).dispatch_due(at + timedelta(seconds=1))
    outbox = planner.config.outbox_dir
    assert json.loads((outbox / f"{new}.json").read_text())["text"] == tagged
    assert json.loads((outbox / f"{old}.json").read_text())["text"] == frozen_before
