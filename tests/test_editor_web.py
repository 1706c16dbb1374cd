"""Issue 23: the review app's message editor through the Flask test client: the form contract
(`text_<lang>`, `id`, POST to the same URL, 303 to `/library#<id>`, `role="alert"` problems that
name their field), the preview, HTML kept as text, the four-eyes rule on facts, deleting, and
"the message changed since it was queued" on the post page."""

from __future__ import annotations

import re

from webapp import csrf_of, session_csrf, sign_in, site_fixture

from toolkit.surfaces.editing.save import loaded

site = site_fixture()

TEXTS = {"text_en": "Call your senator and ask them to protect asylum.",
         "text_es": "Llama a tu senador y pídele que proteja el asilo."}


def form_of(client, url: str) -> dict:
    page = client.get(url).data.decode()
    base = re.search(r'name="base" value="([^"]*)"', page)[1]
    return {"csrf_token": csrf_of(page), "base": base, "theme": "call", "link": "campaign",
            "platforms": ["x", "bluesky"], **TEXTS}


def alert_of(html: str) -> str:
    found = re.search(r'<div class="error" role="alert"[^>]*>(.*?)</div>', html, re.S)
    assert found, "no role=alert on the page"
    return found[1]


def test_a_new_message_is_saved_and_shown_in_the_library(site) -> None:
    client = site.client()
    sign_in(client, "sam")
    page = client.get("/library/new").data.decode()
    assert 'name="text_en"' in page and 'name="text_es"' in page and 'name="id"' in page
    assert 'action="/library/new"' in page
    answer = client.post("/library/new", data={**form_of(client, "/library/new"),
                                                "id": "call-senator"})
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith("/library#call-senator")
    library = client.get("/library").data.decode()
    assert 'id="call-senator"' in library and TEXTS["text_en"] in library
    from toolkit.store.library_log import edits_of

    [entry] = edits_of(site.toolkit.store, "call-senator")
    assert entry.actor == "sam" and entry.action == "new"


def test_problems_name_their_field_and_nothing_is_saved(site) -> None:
    client = site.client()
    sign_in(client, "sam")
    form = {**form_of(client, "/library/new"), "id": "call-numbers",
            "text_en": "There are 5000 people waiting in danger."}
    answer = client.post("/library/new", data=form)
    assert answer.status_code == 400
    alert = alert_of(answer.data.decode())
    assert "<strong>text_en</strong>" in alert and "the number &#39;5000&#39;" in alert
    assert "insert the statistic instead" in answer.data.decode()
    assert loaded(site.toolkit.config, "messages", "call-numbers") is None
    for bad, words in (({"id": "Not a slug"}, "lowercase letters"),
                       ({"id": "violence-attacks"}, "already used"),
                       ({"id": "call-long", "text_es": "x" * 100_000}, "at most 2,000")):
        answer = client.post("/library/new", data={**form, **TEXTS, **bad})
        assert answer.status_code == 400
        field = "id" if "id" in bad and "text_es" not in bad else "text_es"
        assert f"<strong>{field}</strong>" in alert_of(answer.data.decode())
        assert words in alert_of(answer.data.decode())


def test_html_is_shown_as_text(site) -> None:
    client = site.client()
    sign_in(client, "sam")
    script = "Write to Congress <script>alert('x')</script> <b>today</b>."
    answer = client.post("/library/new", data={**form_of(client, "/library/new"),
                                                "id": "call-html", "text_en": script})
    assert answer.status_code == 303
    library = client.get("/library").data.decode()
    assert "<script>alert" not in library and "&lt;script&gt;alert" in library
    edit = client.get("/library/call-html/edit").data.decode()
    assert "&lt;script&gt;alert" in edit and "<b>today" not in edit


def test_the_preview_composes_per_platform_with_lengths(site) -> None:
    client = site.client()
    sign_in(client, "sam")
    form = {**form_of(client, "/library/new"), "id": "call-preview",
            "text_en": "At least {hrf-attacks-2021} attacks. Call now."}
    fragment = client.post("/library/preview", data=form).data.decode()
    assert "At least 1,544 attacks. Call now. #SaveAsylum" in fragment
    assert re.search(r"\d+ of 300 characters", fragment)  # bluesky
    assert re.search(r"\d+ of 280 characters", fragment)  # x
    assert "en: &#39;now&#39; speaks about the present: rest it on a claim instead" in fragment
    assert "error: message &#39;call-preview&#39; (en) speaks about the policy" in fragment
    form["text_en"] = "At least {hrf-attacks-2021} attacks. Call your senator."
    assert "No problems." in client.post("/library/preview", data=form).data.decode()


def test_an_edit_of_a_stale_form_is_refused_with_their_version(site) -> None:
    client = site.client()
    sign_in(client, "sam")
    url = "/library/violence-attacks/edit"
    mine = form_of(client, url)
    theirs = {**form_of(client, url), "theme": "courts"}
    _, item, _ = loaded(site.toolkit.config, "messages", "violence-attacks")
    for form in (theirs, mine):
        form.update({f"text_{k}": v for k, v in item["text"].items()},
                    card=item["card"], platforms=["x", "bluesky", "mastodon"])
    assert client.post(url, data=theirs).status_code == 303
    answer = client.post(url, data={**mine, "theme": "asylum"})
    assert answer.status_code == 409
    page = answer.data.decode()
    assert "someone changed message &#39;violence-attacks&#39;" in alert_of(page)
    assert "theme: courts" in page


def test_propose_and_verify_under_the_four_eyes_rule(site) -> None:
    client = site.client()
    sign_in(client, "maria")
    token = session_csrf(client)
    answer = client.post("/library/facts/new?kind=statistic", data={
        "csrf_token": token, "kind": "statistic", "id": "test-figure", "stat_kind": "count",
        "value": "1234", "label_en": "at least 1,234 people", "label_es": "al menos 1,234 personas",
        "scope_en": "at least", "scope_es": "al menos", "source_name": "Test org",
        "source_url": "https://example.org/report", "as_of": "2024-05"})
    assert answer.status_code == 303, answer.data.decode()[:2000]
    library = client.get("/library").data.decode()
    assert "Waiting for a person" in library and "proposed by maria" in library
    schedule = client.get("/").data.decode()
    assert 'Proposed and not yet verified: <a href="/library#fact-test-figure">test-figure</a>' \
        ' (proposed by maria)' in schedule
    refused = client.post("/library/facts/test-figure/verify", data={"csrf_token": token})
    assert refused.status_code == 403
    assert "four-eyes rule" in refused.data.decode()
    staff = site.client()
    sign_in(staff, "sam")
    assert staff.post("/library/facts/test-figure/verify",
                      data={"csrf_token": session_csrf(staff)}).status_code == 403
    other = site.client()
    sign_in(other, "ana")
    assert other.post("/library/facts/test-figure/verify",
                      data={"csrf_token": session_csrf(other)}).status_code == 303
    site.toolkit.refresh_library()
    stat = site.toolkit.library.statistics["test-figure"]
    assert stat.verified and stat.review.verified_by == "ana" and stat.review.proposed_by == "maria"


def test_delete_is_refused_with_the_posts_and_the_post_page_says_the_message_changed(site):
    pid = site.toolkit.planner().add("violence-attacks", "bluesky", "en", None, site.clock.now,
                                     "sam")
    client = site.client()
    sign_in(client, "sam")
    url = "/library/violence-attacks/edit"
    form = form_of(client, url)
    answer = client.post("/library/violence-attacks/delete",
                         data={"csrf_token": form["csrf_token"]})
    assert answer.status_code == 409
    assert f"{pid} (draft, bluesky, en)" in alert_of(answer.data.decode())
    _, item, _ = loaded(site.toolkit.config, "messages", "violence-attacks")
    form.update({f"text_{k}": v for k, v in item["text"].items()}, card=item["card"],
                platforms=["x", "bluesky", "mastodon"])
    form["text_en"] = form["text_en"].replace("This policy has to end.", "End it.")
    assert client.post(url, data=form).status_code == 303
    assert re.search(r"<li>[^<]+: edit by sam</li>", client.get(url).data.decode())
    page = client.get(f"/posts/{pid}").data.decode()
    assert "the message changed since it was queued" in page


def test_the_card_preview_shows_the_chosen_format_with_its_alt_text(site, run_cli) -> None:
    client = site.client()
    sign_in(client, "sam")
    form = {**form_of(client, "/library/new"), "id": "call-card", "card": "stat-attacks",
            "text_en": "At least {hrf-attacks-2021} attacks."}
    fmt = list(site.toolkit.config.formats)[-1]
    missing = client.post("/library/preview", data={**form, "format": fmt}).data.decode()
    assert f"Card stat-attacks is not built in {fmt} yet" in missing
    assert run_cli("graphics", "build").exit_code == 0
    shown = client.post("/library/preview", data={**form, "format": fmt}).data.decode()
    img = re.search(r'<img class="card" src="([^"]+)" alt="([^"]+)"', shown)
    assert img and img[1] == f"/cards/stat-attacks/{fmt}/en"
    assert "1,544" in img[2] and f"Alt text: {img[2]}" in shown
    assert client.get(img[1]).status_code == 200


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
