"""The review app's pages: the schedule (week grid, agenda), one post, and the library."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from urllib.parse import urlencode

from flask import Blueprint, abort, current_app, g, render_template, request, url_for

from toolkit.compose.text import compose_message, measure
from toolkit.core.errors import ComposeError, NotFound
from toolkit.graphics.manifest import load_manifest
from toolkit.library.gate import blocking_facts
from toolkit.operations.notify.messages import text_start
from toolkit.pages.review.card import pending_card, shows_frozen
from toolkit.pages.review.diff import changes, encode, snapshot
from toolkit.pages.review.grid import calendar_span, month_grid, week_grid
from toolkit.pages.review.history import history_rows
from toolkit.pages.review.preview import build_preview
from toolkit.pages.review.view import Item, by_day, items_of
from toolkit.planning.attention import blocked_messages, find_attention, length_problem
from toolkit.store import (
    APPROVED,
    CHANGES_REQUESTED,
    DRAFT,
    FAILED,
    MISSED,
    NEEDS_CHECK,
    STATUSES,
    Post,
)
from toolkit.store.signoff import SignoffStore
from toolkit.store.users import LEAD, can
from toolkit.surfaces.web.media import thumb_url
from toolkit.surfaces.web.security import now, web_store

bp = Blueprint("views", __name__)

PAGE = 200
#: the month view shows at most this many posts (a day lists its first few, then a count)
MONTH_MAX = 3000
MAX_SEARCH = 200
VIEWS = ("week", "month", "agenda")
NOTICES = {"approve": "Approved: the text and image are frozen as you saw them.",
           "send_back": "Changes requested, with your comment: no approval covers this post "
                        "until it is edited or resubmitted.",
           "resubmit": "Resubmitted with your reply: a draft again, waiting for approval.",
           "cancel": "Cancelled.", "reschedule": "Rescheduled.", "resolve": "Resolved.",
           "comment": "Comment added.", "queue": "Queued as a draft.",
           "deleted": "Deleted from the library.",
           "proposed": "Proposed: it waits for another lead to verify it.",
           "verified": "Verified: who and when are recorded in the file."}


def toolkit():
    """The campaign's parts (config, library, store)."""
    return current_app.extensions["toolkit"]


class Thumbs:
    """Thumbnail URLs for posts: the frozen image, else the draft's card from the build."""

    def __init__(self) -> None:
        tk = toolkit()
        self.config, self.library = tk.config, tk.library
        self.built = {(e.get("card"), e.get("format"), e.get("lang")): e
                      for e in load_manifest(self.config.graphics_dir)}

    def entry(self, card: str | None, platform: str, lang: str) -> dict | None:
        """The build manifest's entry of a card in the platform's format, if it was built."""
        spec = self.config.platforms.get(platform)
        fmt = spec.card_format if spec else None
        return self.built.get((card, fmt, lang)) if card and fmt else None

    def card(self, card: str | None, platform: str, lang: str) -> str | None:
        """The thumbnail URL of a card's graphic in the platform's format, if it was built."""
        entry = self.entry(card, platform, lang)
        if entry is None:
            return None
        return thumb_url(str(self.config.graphics_dir.resolve() / entry["file"]),
                         entry.get("sha256"))

    def card_sha256(self, card: str | None, platform: str, lang: str) -> str:
        """The sha256 of the card's built graphic in the platform's format ("" when none)."""
        entry = self.entry(card, platform, lang)
        return str(entry.get("sha256") or "") if entry else ""

    def alt(self, post: Post) -> str:
        """The alt text of the post's image: frozen, else the one approval will freeze."""
        if shows_frozen(post):
            first = post.media[0]
            return str(first.get("alt", "")) if isinstance(first, dict) else ""
        message = self.library.messages.get(post.message_id)
        entry = self.entry(message.card if message else None, post.platform, post.lang)
        return str(entry.get("alt", "")) if entry else ""

    def __call__(self, post: Post) -> str | None:
        first = post.media[0] if shows_frozen(post) and isinstance(post.media[0], dict) \
            else None
        if first is not None:
            return thumb_url(str(first.get("path", "")), first.get("sha256"))
        message = self.library.messages.get(post.message_id)
        return self.card(message.card if message else None, post.platform, post.lang)


def _choice(name: str, options: list[str]) -> str:
    value = request.args.get(name, "")
    return value if value in options else ""


def _week(today: date) -> date:
    """The day asked for: `?week=` (any day of the week or month to show), else today."""
    try:
        chosen = date.fromisoformat(request.args.get("week", ""))
    except ValueError:
        return today
    return chosen if 1 < chosen.year < 9999 else today


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=toolkit().config.timezone)


@bp.route("/")
def schedule():
    """The schedule: what waits for a person, filters and a text search (kept in the URL), and
    a week on a time axis, a month, or an agenda."""
    tk = toolkit()
    config, tz, at = tk.config, tk.config.timezone, now()
    view = request.args.get("view") if request.args.get("view") in VIEWS else "week"
    span = calendar_span(view, _week(at.astimezone(tz).date()), config.week_start)
    filters = [("status", "Status", list(STATUSES)),
               ("platform", "Platform", list(config.platforms)),
               ("account", "Account", list(config.accounts)),
               ("lang", "Language", list(config.languages))]
    chosen = {name: _choice(name, options) for name, _, options in filters}
    search = request.args.get("q", "").strip()[:MAX_SEARCH]
    try:
        page = max(0, min(int(request.args.get("page", "0")), 10_000))
    except ValueError:
        page = 0
    size = MONTH_MAX if view == "month" else PAGE
    statuses = [chosen["status"]] if chosen["status"] else [s for s in STATUSES
                                                            if s != "cancelled"]
    found = web_store().find_posts(
        _midnight(span.start), _midnight(span.end), statuses,
        [chosen["platform"]] if chosen["platform"] else None,
        [chosen["account"]] if chosen["account"] else None,
        [chosen["lang"]] if chosen["lang"] else None, limit=size + 1, offset=page * size,
        text=search or None)
    attention = find_attention(config, tk.library, tk.store, at)
    thumbs = Thumbs()
    items = items_of(found[:size], tz, thumbs)
    for item in items:
        _flag(item, attention.blocked, config)
    waiting = [Item(p, p.scheduled_at.astimezone(tz), thumbs(p), [why])
               for p, why in attention.posts]
    listed = {i.post.id for i in waiting}
    waiting += [i for i in items if i.flags and i.post.id not in listed and
                i.post.status in (DRAFT, APPROVED)]

    def link(**changes: object) -> str:
        params = {"week": span.anchor.isoformat(), "view": view, **chosen, "q": search,
                  "page": 0, **changes}
        if isinstance(params["week"], date):
            params["week"] = params["week"].isoformat()
        return url_for("views.schedule") + "?" + urlencode(
            {k: v for k, v in params.items() if v not in ("", 0)})

    return render_template(
        "schedule.html", title=f"{config.name}: schedule", tz=tz.key,
        warnings=attention.warnings, attention=waiting, attention_more=attention.more,
        filters=filters, chosen=chosen, search=search, view=view, span=span,
        week_start=span.anchor, week_end=span.end - timedelta(days=1),
        grid=week_grid(span.start, items, config.slots, tz, at) if view == "week" else None,
        month=month_grid(span.anchor, items, config.week_start) if view == "month" else None,
        agenda=by_day(items) if view == "agenda" else None, link=link,
        more=len(found) > size, shown=size, page=page,
        notice=NOTICES.get(request.args.get("done", "")),
        can_queue=can(g.role, "queue"), can_move=can(g.role, "edit"),
        can_bulk=can(g.role, "cancel"), facts_waiting=proposed_facts(tk.library),
        week_drafts=bulk_rows(items, thumbs) if g.role == LEAD and view != "month" else [])


def proposed_facts(library) -> list[dict]:
    """Statistics and claims someone proposed in the editor that nobody has verified yet."""
    facts = [*library.statistics.values(), *library.claims.values()]
    return [{"id": f.id, "proposed_by": f.review.proposed_by} for f in facts
            if f.review.proposed_by and not f.verified]


def bulk_rows(items: list[Item], thumbs: Thumbs) -> list[dict]:
    """The drafts "Approve this week's drafts" offers, each with the alt text approval freezes,
    its comment count and flags; checked unless it has comments or warnings."""
    drafts = [i for i in items if i.post.status == DRAFT]
    counts = web_store().comment_counts([i.post.id for i in drafts])
    return [{"item": i, "alt": thumbs.alt(i.post), "comments": counts.get(i.post.id, 0),
             "first_line": text_start(i.post.text, 90),
             "checked": not counts.get(i.post.id) and not i.flags} for i in drafts]


def _flag(item: Item, blocked: dict[str, str], config) -> None:
    post = item.post
    if post.status in (DRAFT, APPROVED):
        if post.message_id in blocked:
            item.flags.append(blocked[post.message_id])
        problem = length_problem(config, post)
        if problem:
            item.flags.append(problem)


def actions_for(post: Post, role: str) -> dict[str, bool]:
    """Which action forms a role sees for a post in its current status."""
    lead = role == LEAD
    return {
        "approve": lead and post.status == DRAFT,
        "send_back": lead and post.status in (DRAFT, APPROVED),
        "resubmit": can(role, "edit") and post.status == CHANGES_REQUESTED,
        "reschedule": can(role, "edit") and (post.status in (DRAFT, CHANGES_REQUESTED) or (
            lead and post.status in (APPROVED, MISSED, FAILED))),
        "resolve": lead and post.status in (NEEDS_CHECK, MISSED, FAILED),
        "cancel": lead and post.status in (DRAFT, CHANGES_REQUESTED, APPROVED, MISSED, FAILED,
                                           NEEDS_CHECK),
        "signoff_link": lead and post.status in (DRAFT, APPROVED),
    }


def post_name(post: Post, when: datetime) -> str:
    """How a page names a post: its local time, platform and first words (not its id)."""
    return f"{when:%a %d %b %H:%M} · {post.platform} · “{text_start(post.text, 50)}”"


def facts_of(library, message, lang: str, today: date) -> list[dict]:
    """The statistics and dated claims a message rests on, with sources, in `lang`."""
    stats = []
    for sid in library.statistic_ids_of(message) if message else []:
        s = library.statistics.get(sid)
        if s is not None:
            stats.append({"display": s.display.get(lang, str(s.value)),
                          "label": s.label.get(lang, ""), "source": s.source_in(lang),
                          "url": s.source_url, "as_of": s.as_of_text, "verified": s.verified,
                          "review": s.review.shown()})
    # the dated claims it rests on show like statistics
    for cid in message.claims if message else ():
        c = library.claims.get(cid)
        if c is not None:
            stats.append({"display": "", "label": c.text.get(lang, ""),
                          "source": c.source_name, "url": c.source_url, "as_of": c.as_of_text,
                          "verified": c.verified and not c.stale(today),
                          "review": c.review.shown()})
    return stats


def post_context(post_id: str, seen: dict | None = None) -> dict:
    """Everything the post page shows (with `seen`, a snapshot of the version the person was
    shown before: what changed since, highlighted)."""
    tk = toolkit()
    config, library, tz = tk.config, tk.library, tk.config.timezone
    try:
        post = tk.store.get(post_id)
    except NotFound:
        abort(404)
    message = library.messages.get(post.message_id)
    flags = []
    if post.status in (DRAFT, APPROVED):
        flags = list(blocked_messages(library, [post.message_id], now(), config).values())
    stats = facts_of(library, message, post.lang, now().astimezone(tz).date())
    if message is not None and post.status in (DRAFT, CHANGES_REQUESTED, APPROVED):
        try:
            current = compose_message(config, library, message, post.lang, post.platform).text
        except ComposeError:
            current = None
        if current is not None and current != post.text:
            flags.append("the message changed since it was queued: approving shows the new "
                         "text first (a new revision), with what changed highlighted")
    # a draft (or a post sent back) shows the card approval will freeze, with the exact alt
    # text it freezes, not media frozen by an earlier approval
    media = [{"url": url_for("media.post_image", post_id=post.id, n=n), "alt": m.get("alt", "")}
             for n, m in enumerate(post.media)] if shows_frozen(post) else []
    card = None if media else pending_card(config, post, message)
    preview = {"url": url_for("media.card_image", card=card["card"], fmt=card["format"],
                              lang=card["lang"]),
               "alt": card.get("alt", ""), "sha256": str(card.get("sha256") or "")} \
        if card else None
    when = post.scheduled_at.astimezone(tz)
    current = snapshot(post, tz)
    signs = SignoffStore(tk.store)
    return {
        "title": post_name(post, when), "post": post, "when": when, "tz": tz.key,
        "seen": encode(current), "changes": changes(seen, current) if seen is not None else None,
        "signoffs": [{"s": s, "when": s.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"),
                      "current": s.revision == post.version} for s in signs.signoffs(post.id)],
        "links": [k for k in signs.links(post.id) if k.live(now())] if g.role == LEAD else [],
        "required": list(config.require_signoff),
        "length": measure(config, post.text, post.platform), "media": media,
        "card_preview": preview, "stats": stats, "flags": flags,
        "look": build_preview(post.platform, post.account, post.text,
                              media[0] if media else preview),
        "history": history_rows(tk.store.audit_log(post.id), tz),
        "comments": [{"author": c.author, "body": c.body,
                      "when": c.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")}
                     for c in web_store().comments(post.id)],
        "actions": actions_for(post, g.role), "local_input": when.strftime("%Y-%m-%dT%H:%M"),
        "notice": NOTICES.get(request.args.get("done", "")),
    }


@bp.route("/posts/<post_id>")
def post(post_id: str):
    """One post exactly as it will go out, its facts, history, comments and actions."""
    return render_template("post.html", **post_context(post_id))


@bp.route("/library")
def library():
    """The messages and their cards, each with a queue form."""
    return library_page()


def _local_input(value: str) -> str:
    """A `datetime-local` value (`YYYY-MM-DDTHH:MM`) from `?at=`, or "" when it is not one."""
    try:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M").strftime("%Y-%m-%dT%H:%M")
    except ValueError:
        return ""


def library_page(error: str | None = None) -> str:
    """The library page, with an error line when a queue request was refused."""
    tk = toolkit()
    config, lib = tk.config, tk.library
    today = now().astimezone(config.timezone).date()
    thumbs = Thumbs()
    messages = []
    for m in sorted(lib.messages.values(), key=lambda m: m.id):
        texts = []
        for lang in config.languages:
            if lang not in m.text:
                continue
            platform = m.platforms[0] if m.platforms else "outbox"
            try:
                texts.append((lang, compose_message(config, lib, m, lang, platform).text))
            except ComposeError as exc:
                texts.append((lang, f"(cannot compose: {exc.message})"))
        platforms = [p for p in m.platforms if p in config.platforms]
        if "outbox" in config.platforms and "outbox" not in platforms:
            platforms.append("outbox")
        messages.append({"id": m.id, "theme": m.theme, "texts": texts, "platforms": platforms,
                         "blocked": blocking_facts(lib, m, today),
                         "thumb": thumbs.card(m.card, platforms[0], config.languages[0])
                         if platforms else None})
    from toolkit.surfaces.web.editor_view import fact_rows

    facts = fact_rows(lib, config.languages[0])
    waiting = [dict(f, kind=kind) for kind in ("statistics", "claims") for f in facts[kind]
               if not f["verified"]]
    return render_template("library.html", title=f"{config.name}: library", tz=config.timezone.key,
                           messages=messages, waiting=waiting, lead=g.role == LEAD,
                           accounts=[(a.name, a.platform) for a in config.accounts.values()],
                           at=_local_input(request.args.get("at", "")),
                           can_queue=can(g.role, "queue"),
                           notice=NOTICES.get(request.args.get("done", "")), error=error)
