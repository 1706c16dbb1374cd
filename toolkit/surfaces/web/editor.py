"""The review app's message editor: `/library/new`, `/library/<id>/edit` (a form that POSTs to
its own URL; on success a 303 to `/library#<id>`), its live preview, deleting a message, and
proposing and verifying statistics and claims. Every write goes through `toolkit.surfaces.editing`,
as
`toolkit library new|edit|delete|propose|verify` does."""

from __future__ import annotations

from flask import Blueprint, abort, g, redirect, render_template, request, url_for

from toolkit.core.errors import InputError
from toolkit.store.library_log import edits_of
from toolkit.store.users import LEAD, can
from toolkit.surfaces.editing.facts import FACT_SECTIONS
from toolkit.surfaces.editing.save import Conflict, Refused, loaded
from toolkit.surfaces.editing.service import (
    FormError,
    delete_message,
    live_posts,
    propose_fact,
    save_message,
    verify_fact,
)
from toolkit.surfaces.web.editor_view import EMPTY, default_platforms, fact_rows, preview
from toolkit.surfaces.web.security import LARGE_FORMS, now, web_store
from toolkit.surfaces.web.views import toolkit

bp = Blueprint("editor", __name__)

#: the editor's forms may carry long texts (a 100 KB one is refused by name, not by size)
MAX_FORM = 512 * 1024
LARGE_FORMS.update({f"editor.{name}": MAX_FORM for name in ("new", "edit", "live_preview",
                                                             "propose")})


def _require(action: str) -> None:
    if not can(g.role, action):
        abort(403, f"a {g.role} may not {action} library messages; ask a lead")


def _today():
    return now().astimezone(toolkit().config.timezone).date()


def _email() -> str | None:
    user = web_store().user(g.user)
    return user.email if user else None


def _form_of(item: dict | None) -> dict:
    """The form's fields for a message as its file has it (or a new one)."""
    config = toolkit().config
    if item is None:
        return {"id": "", "theme": "", "link": "campaign", "card": "", "claims": [],
                "platforms": default_platforms(config),
                **{f"text_{lang}": "" for lang in config.languages}}
    return {"id": item["id"], "theme": item.get("theme", ""), "link": item.get("link", ""),
            "card": item.get("card", ""), "claims": item.get("claims") or [],
            "platforms": item.get("platforms") or default_platforms(config),
            **{f"text_{k}": v for k, v in (item.get("text") or {}).items()}}


def _posted() -> dict:
    """The POSTed form as the editor reads it (lists for the checkbox groups)."""
    form = {k: v for k, v in request.form.items()}
    for name in ("claims", "platforms"):
        form[name] = request.form.getlist(name)
    return form


def _field_of(problem: str, languages: tuple[str, ...]) -> str:
    """The form field a `check` problem is about."""
    for lang in languages:
        if f"({lang})" in problem:
            return f"text_{lang}"
    for name in ("card", "claims", "platforms", "link", "theme"):
        if f" {name}" in problem or f"unknown {name[:-1] if name.endswith('s') else name}" \
                in problem:
            return name
    return "text"


def _page(form: dict, message_id: str | None, problems: list[tuple[str, str]] | None = None,
          theirs: str = "", base: str = "", status: int = 200):
    tk = toolkit()
    config = tk.config
    lang = config.languages[0]
    editing = message_id is not None
    fresh = request.method == "GET" and message_id is None
    shown = EMPTY if fresh else preview(config, form, message_id, _today())
    live = live_posts(tk, message_id) if editing else []
    tz = config.timezone
    history = [{"when": e.at.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z"), "actor": e.actor,
                "action": e.action} for e in edits_of(tk.store, message_id)] if editing else []
    return render_template(
        "editor.html", title=f"Edit {message_id}" if editing else "Write a message",
        form=form, editing=editing, message_id=message_id, base=base, problems=problems or [],
        theirs=theirs, preview=shown, facts=fact_rows(tk.library, lang),
        cards=sorted(tk.library.cards), platforms=default_platforms(config),
        languages=config.languages, live=live, formats=list(config.formats), history=history,
        action=request.path), status


def _save(message_id: str | None):
    _require("edit")
    form = _posted()
    base = form.get("base", "")
    tk = toolkit()
    try:
        saved = save_message(tk, form, message_id, g.user, now(), base, _email(), tk.store)
    except FormError as exc:
        return _page(form, message_id, exc.problems.items, base=base, status=400)
    except Refused as exc:
        problems = [(_field_of(p.message, tk.config.languages), str(p)) for p in exc.problems]
        return _page(form, message_id, problems, base=base, status=400)
    except Conflict as exc:
        return _page(form, message_id, [("text", exc.message)], theirs=exc.theirs, base=base,
                     status=409)
    except InputError as exc:
        field = "id" if exc.message.startswith("id:") else "text"
        return _page(form, message_id, [(field, exc.message.removeprefix("id: "))], base=base,
                     status=400)
    return redirect(url_for("views.library") + f"#{saved.item_id}", code=303)  # the contract


@bp.route("/library/new", methods=["GET", "POST"])
def new():
    """Write a new message."""
    if request.method == "POST":
        return _save(None)
    _require("edit")
    return _page(_form_of(None), None)


@bp.route("/library/<message_id>/edit", methods=["GET", "POST"])
def edit(message_id: str):
    """Change a message: only the lines of the fields changed are written."""
    if request.method == "POST":
        return _save(message_id)
    _require("edit")
    found = loaded(toolkit().config, "messages", message_id)
    if found is None:
        abort(404)
    return _page(_form_of(found[1]), message_id, base=found[2])


@bp.route("/library/preview", methods=["POST"])
def live_preview():
    """The preview fragment for the form as typed (the editor's script asks while you type)."""
    _require("edit")
    form = _posted()
    editing = form.get("editing") or None
    if editing is not None and loaded(toolkit().config, "messages", editing) is None:
        abort(404)
    return render_template("_editor_preview.html",
                           preview=preview(toolkit().config, form, editing, _today()))


@bp.route("/library/<message_id>/delete", methods=["POST"])
def delete(message_id: str):
    """Delete a message; refused while it has queued or approved posts (they are listed)."""
    _require("edit")
    tk = toolkit()
    try:
        delete_message(tk, message_id, g.user, now(), request.form.get("base", ""), _email())
    except InputError as exc:
        found = loaded(tk.config, "messages", message_id)
        if found is None:
            abort(404)
        return _page(_form_of(found[1]), message_id, [("delete", exc.message)],
                     base=found[2], status=409)
    return redirect(url_for("views.library", done="deleted"), code=303)


@bp.route("/library/facts/new", methods=["GET", "POST"])
def propose():
    """Propose a statistic (`?kind=statistic`) or a claim: saved unverified, waiting for a
    lead who did not propose it."""
    _require("edit")
    kind = request.values.get("kind", "statistic")
    if f"{kind}s" not in FACT_SECTIONS:
        abort(404)
    problems: list[tuple[str, str]] = []
    form: dict = {"stat_kind": "count"} if kind == "statistic" else {}
    if request.method == "POST":
        form = _posted()
        try:
            saved = propose_fact(toolkit(), f"{kind}s", form, g.user, now(), _email(),
                                 toolkit().store)
        except FormError as exc:
            problems = exc.problems.items
        except InputError as exc:
            problems = [("id" if exc.message.startswith("id:") else "source_url", exc.message)]
        else:
            return redirect(url_for("views.library", done="proposed") + f"#fact-{saved.item_id}",
                            code=303)
    return render_template("propose.html", title=f"Propose a {kind}", kind=kind, form=form,
                           problems=problems, languages=toolkit().config.languages), \
        400 if problems else 200


@bp.route("/library/facts/<fact_id>/verify", methods=["POST"])
def verify(fact_id: str):
    """Mark a statistic or claim verified (a lead who did not propose it)."""
    try:
        saved = verify_fact(toolkit(), fact_id, g.user, now(), g.role == LEAD, _email(),
                            toolkit().store)
    except InputError as exc:
        from toolkit.surfaces.web.views import library_page

        return library_page(error=f"not verified: {exc.message}"), 403
    return redirect(url_for("views.library", done="verified") + f"#fact-{saved.item_id}",
                    code=303)
