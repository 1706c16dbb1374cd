"""The post as its audience will see it: text pieces with links and hashtags (Bluesky: its own
facets, by UTF-8 byte ranges), the image with Bluesky's alt badge or X's 16:9 crop, Bluesky's
link card when there is no image; shown on the post page, labelled as an approximation."""

from __future__ import annotations

from datetime import timedelta

from webapp import NO_CARD, sign_in, site_fixture

from toolkit.pages.review.preview import build_preview

site = site_fixture()
TEXT = "Señor, 70 000 in ‘MPP’ https://example.org/a?b=1. #SaveAsylum #End_MPP"


def test_links_and_hashtags_are_cut_out_on_every_platform() -> None:
    for platform in ("x", "mastodon", "bluesky"):
        look = build_preview(platform, "acct", TEXT, None)
        assert "".join(t for _, t in look.pieces) == TEXT, platform
        assert [(k, t) for k, t in look.pieces if k != "text"] == [
            ("link", "https://example.org/a?b=1"), ("tag", "#SaveAsylum"),
            ("tag", "#End_MPP")], platform
    assert build_preview("outbox", "outbox", TEXT, None) is None


def test_bluesky_shows_a_link_card_only_without_an_image() -> None:
    bare = build_preview("bluesky", "acct", TEXT, None)
    assert bare.card == {"domain": "example.org", "url": "https://example.org/a?b=1"}
    with_image = build_preview("bluesky", "acct", TEXT, {"url": "/i.png", "alt": "A card"})
    assert with_image.card is None and with_image.image["alt"] == "A card"
    assert build_preview("x", "acct", TEXT, None).card is None



def test_a_tagged_link_on_bluesky_is_previewed_as_bluesky_shows_it() -> None:
    """The lead sees what goes out: the short form of a UTM-tagged link, as a link."""
    tagged = ("End MPP. #SaveAsylum https://www.cvt.org/EndMPP?utm_source=bluesky"
              "&utm_medium=social&utm_campaign=saveasylum&utm_content=m-en")
    look = build_preview("bluesky", "acct", tagged, None)
    assert "".join(t for _, t in look.pieces) == "End MPP. #SaveAsylum cvt.org/EndMPP"
    assert ("link", "cvt.org/EndMPP") in look.pieces and look.card["domain"] == "cvt.org"
    x = build_preview("x", "acct", tagged, None)
    assert "".join(t for _, t in x.pieces) == tagged  # X shows the full link (counted as 23)

def test_the_post_page_shows_the_preview_of_its_platform(site) -> None:
    tk = site.toolkit
    at = site.clock.now + timedelta(days=2)
    ids = {p: tk.planner().add(NO_CARD, p, "en", at, site.clock.now, "sam")
           for p in ("x", "bluesky", "mastodon")}
    outbox = tk.planner().add(NO_CARD, "outbox", "en", at, site.clock.now, "sam")
    client = site.client()
    sign_in(client, "maria")
    for platform, name in (("x", "X"), ("bluesky", "Bluesky"), ("mastodon", "Mastodon")):
        page = client.get(f"/posts/{ids[platform]}").data.decode()
        assert f"How it will look on {name}</h2>" in page
        assert "A styled approximation, not a screenshot" in page
        assert f'class="preview preview-{platform}"' in page
        assert '<span class="preview-tag">#SaveAsylum</span>' in page
    assert "How it will look" not in client.get(f"/posts/{outbox}").data.decode()
