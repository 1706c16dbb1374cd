"""Review of issue 23's editor pages: a posts file someone broke by hand meanwhile."""

from __future__ import annotations

from webapp import sign_in, site_fixture

site = site_fixture()


def test_a_posts_file_broken_by_hand_is_one_clear_page(site) -> None:
    """It was a bare "500 Internal Server Error" on every page, the editor's too."""
    client = site.client()
    sign_in(client, "sam")
    posts = site.toolkit.config.posts_dir
    (posts / "zz-draft.yaml").write_text("messages:\n  - id: violence-attacks\n    theme: [\n",
                                         encoding="utf-8")
    for url in ("/library", "/library/violence-attacks/edit"):
        answer = client.get(url)
        page = answer.data.decode()
        assert answer.status_code == 503, url
        assert "The post library has errors" in page and "zz-draft.yaml:4" in page
    (posts / "zz-draft.yaml").unlink()
    assert client.get("/library/violence-attacks/edit").status_code == 200
