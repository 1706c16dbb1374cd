"""Words about the policy's present ("is back", "está vigente") must rest on a dated claim. Only
a message can name one, so the share kit's own words and the cards' lines may not use them at
all: `toolkit check` says where, and the site build stops."""

from __future__ import annotations

from pathlib import Path

from conftest import edit, line_of


def test_site_words_about_the_present_stop_check_and_the_build(run_cli, project: Path) -> None:
    words = project.parent.parent / "posts" / "site.yaml"
    edit(words, 'en: "Graphics, ready-to-post', 'en: "MPP is back. Graphics, ready-to-post')
    line = line_of(words, "    description:")
    result = run_cli("check")
    assert result.exit_code == 1
    assert (f"posts/site.yaml:{line}: error: site text 'description' (en) speaks about the "
            "policy's present ('is back')") in result.output
    out = project.parent.parent / "kit"
    result = run_cli("site", "build", "--out", str(out))
    assert result.exit_code == 1 and "'is back'" in result.output
    assert not out.exists()


def test_card_lines_about_the_present_are_check_errors(run_cli, project: Path) -> None:
    cards = project.parent.parent / "posts" / "cards.yaml"
    edit(cards, "Acabemos para siempre con «Quédate en México».",
         "«Quédate en México» está vigente: acabemos con él.")
    line = line_of(cards, "está vigente") - 2  # the card's text: line
    result = run_cli("check")
    assert result.exit_code == 1
    assert f"posts/cards.yaml:{line}: error: card 'msg-end-mpp' (es) speaks about the " \
           "policy's present ('está vigente')" in result.output
