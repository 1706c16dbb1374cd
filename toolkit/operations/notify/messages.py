"""The words of every notification, in English and Spanish.

Each message says what happened, to which post (text start, platform, time in the campaign's
timezone) and the one thing to do (a command, or the web page when `notify.web_url` is set).
A burst of the same event becomes one message with a count and a list.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, tzinfo

from toolkit.operations.notify.events import Digest, Event

#: at most this many posts are listed in one message; the rest are counted
LIST_MAX = 30
TEXT_START = 60

TEXTS: dict[str, dict[str, str]] = {
    "en": {
        "failed.title": "A post failed", "failed.many": "{n} posts failed",
        "failed.what": "The post could not be published and will not be retried.",
        "failed.todo": "fix the cause, then `toolkit queue reschedule {id} --at TIME` and "
                       "approve it again",
        "missed.title": "A post missed its time", "missed.many": "{n} posts missed their time",
        "missed.what": "Not published: it was too late after an outage, so it waits for a "
                       "person.",
        "missed.todo": "`toolkit queue reschedule {id} --at TIME` and approve it again, or "
                       "`toolkit queue cancel {id}`",
        "needs_check.title": "A post needs checking",
        "needs_check.many": "{n} posts need checking",
        "needs_check.what": "The platform could not tell whether the post went out.",
        "needs_check.todo": "look at the account's profile, then `toolkit queue resolve {id} "
                            "--published URL` or `--not-published`",
        "review_requested.title": "A draft waits for approval",
        "review_requested.many": "{n} drafts wait for approval",
        "review_requested.what": "Queued or resubmitted: a lead's approval is needed before "
                                 "it can go out.",
        "review_requested.todo": "look at it as it will go out (`toolkit queue show {id}`), "
                                 "then approve it or request changes",
        "digest.drafts": "Drafts waiting for approval: {n}",
        "changes_requested.title": "Changes requested on a post",
        "changes_requested.many": "Changes requested on {n} posts",
        "changes_requested.what": "A lead sent the post back with a comment: no approval "
                                  "covers it until its message is edited or it is "
                                  "resubmitted.",
        "changes_requested.todo": "read the comments, edit the message, or "
                                  "`toolkit queue resubmit {id} --reply TEXT`",
        "auth.title": "Account {account}: keys rejected",
        "auth.many": "{n} accounts: keys rejected",
        "auth.what": "The platform rejected the keys of account {account}; its posts fail "
                     "until it is reconnected.",
        "auth.todo": "set new keys in the environment file, restart the scheduler, then run "
                     "`toolkit accounts test`",
        "rate_limited.title": "Account {account}: rate limited until {until}",
        "rate_limited.many": "{n} accounts rate limited",
        "rate_limited.what": "The platform holds account {account} back until {until}; its "
                             "posts wait and go out after that.",
        "rate_limited.todo": "nothing, unless it repeats: then space the account's posts out "
                             "(`toolkit schedule --days 2`)",
        "token_expiry.title": "Account {account}: its token expires on {until}",
        "token_expiry.many": "{n} accounts: tokens expire within a week",
        "token_expiry.what": "The token of account {account} expires on {until}; after that "
                             "its posts fail until it is reconnected.",
        "token_expiry.todo": "get a new token as docs/guide/platforms.md says, set it in the "
                             "environment file, restart the scheduler, then run `toolkit "
                             "accounts test`",
        "quota.title": "A quota will be passed tomorrow",
        "quota.many": "{n} quotas will be passed tomorrow",
        "quota.day": "Account {account} has {n} posts scheduled on {day}, over its daily cap "
                     "of {cap}.",
        "quota.month": "Account {account} passes its monthly cap of {cap} tomorrow ({n} posts "
                       "this month).",
        "quota.todo": "move some of tomorrow's posts: `toolkit schedule --days 2`, then "
                      "`toolkit queue reschedule ID --at TIME`",
        "store.title": "The store cannot be opened",
        "store.what": "The scheduler cannot use its store, so nothing is published: {detail}",
        "store.todo": "check the database (disk, file, permissions), then run `toolkit status`",
        "library.title": "The post library cannot be loaded",
        "library.many": "The post library cannot be loaded ({n} errors)",
        "library.what": "Nothing is published until the post library loads again (due posts "
                        "stay approved): {detail}",
        "library.todo": "fix the file named above (`toolkit check` lists every error); posts "
                        "go out by themselves once it loads",
        "site.title": "The share kit is out of date",
        "site.many": "The share kit is out of date",
        "site.what": "The built share kit is past its valid-until date {detail}: it may show "
                     "a claim or member data no longer checked.",
        "site.todo": "`toolkit site build` and publish the folder again (rebuild it daily, "
                     "e.g. from cron)",
        "down.title": "{detail} has stopped", "down.many": "{n} services have stopped",
        "down.what": "systemd gave up restarting {detail} after repeated failures: nothing is "
                     "published until it runs again.",
        "down.todo": "`journalctl -u {detail} -n 50` tells why; fix it, then "
                     "`systemctl restart {detail}`",
        "post": "Post {id}: \"{text}\" on {platform} ({account}), due {when}",
        "reason": "Reason: {detail}",
        "todo": "To do: {todo}",
        "open": "Or open {url}",
        "more": "… and {n} more (`toolkit status`)",
        "digest.title": "Daily digest, {day}",
        "digest.tomorrow": "Tomorrow ({day}): {n} post(s)",
        "digest.none_tomorrow": "No posts tomorrow ({day}).",
        "digest.waiting": "Waiting for a person: {n}",
        "digest.none_waiting": "Nothing waits for a person.",
        "digest.held": "Account {account} held by a rate limit until {until}",
        "digest.todo": "`toolkit schedule --days 2` and `toolkit status`",
        "digest.best": "Yesterday's best post: {id} on {platform} ({account}), {n} "
                       "engagement(s) at the latest count: \"{text}\"",
        "status.approved": "approved", "status.draft": "draft, not approved yet",
        "status.failed": "failed", "status.missed": "missed",
        "status.needs_check": "needs checking",
        "status.changes_requested": "changes requested",
        "test.title": "Test message from the #SaveAsylum toolkit",
        "test.body": "Channel {channel} works: this is where the scheduler tells you when a "
                     "person is needed.",
    },
    "es": {
        "failed.title": "Una publicación falló", "failed.many": "{n} publicaciones fallaron",
        "failed.what": "No se pudo publicar y no se volverá a intentar.",
        "failed.todo": "corrige la causa, luego `toolkit queue reschedule {id} --at HORA` y "
                       "apruébala de nuevo",
        "missed.title": "Una publicación no salió a su hora",
        "missed.many": "{n} publicaciones no salieron a su hora",
        "missed.what": "No se publicó: era demasiado tarde tras una interrupción, así que "
                       "espera a una persona.",
        "missed.todo": "`toolkit queue reschedule {id} --at HORA` y apruébala de nuevo, o "
                       "`toolkit queue cancel {id}`",
        "needs_check.title": "Una publicación necesita revisión",
        "needs_check.many": "{n} publicaciones necesitan revisión",
        "needs_check.what": "La plataforma no pudo confirmar si la publicación salió.",
        "needs_check.todo": "mira el perfil de la cuenta y luego `toolkit queue resolve {id} "
                            "--published URL` o `--not-published`",
        "review_requested.title": "Un borrador espera aprobación",
        "review_requested.many": "{n} borradores esperan aprobación",
        "review_requested.what": "En cola o reenviado: hace falta la aprobación de una "
                                 "responsable antes de que salga.",
        "review_requested.todo": "míralo tal como saldrá (`toolkit queue show {id}`) y "
                                 "apruébalo o pide cambios",
        "digest.drafts": "Borradores que esperan aprobación: {n}",
        "changes_requested.title": "Piden cambios en una publicación",
        "changes_requested.many": "Piden cambios en {n} publicaciones",
        "changes_requested.what": "Una responsable la devolvió con un comentario: ninguna "
                                  "aprobación la cubre hasta que se edite su mensaje o se "
                                  "vuelva a enviar.",
        "changes_requested.todo": "lee los comentarios, edita el mensaje o "
                                  "`toolkit queue resubmit {id} --reply TEXTO`",
        "auth.title": "Cuenta {account}: claves rechazadas",
        "auth.many": "{n} cuentas con las claves rechazadas",
        "auth.what": "La plataforma rechazó las claves de la cuenta {account}; sus "
                     "publicaciones fallarán hasta que se vuelva a conectar.",
        "auth.todo": "pon las claves nuevas en el archivo de entorno, reinicia el programador "
                     "y ejecuta `toolkit accounts test`",
        "rate_limited.title": "Cuenta {account}: frenada hasta {until}",
        "rate_limited.many": "{n} cuentas frenadas por límites de envío",
        "rate_limited.what": "La plataforma frena la cuenta {account} hasta {until}; sus "
                             "publicaciones esperan y saldrán después.",
        "rate_limited.todo": "nada, salvo que se repita: entonces espacia más las "
                             "publicaciones de la cuenta (`toolkit schedule --days 2`)",
        "token_expiry.title": "Cuenta {account}: su token caduca el {until}",
        "token_expiry.many": "{n} cuentas: sus tokens caducan en menos de una semana",
        "token_expiry.what": "El token de la cuenta {account} caduca el {until}; a partir de "
                             "entonces sus publicaciones fallarán hasta que se vuelva a "
                             "conectar.",
        "token_expiry.todo": "consigue un token nuevo como explica docs/guide/platforms.md, "
                             "ponlo en el archivo de entorno, reinicia el programador y "
                             "ejecuta `toolkit accounts test`",
        "quota.title": "Mañana se pasa una cuota",
        "quota.many": "Mañana se pasan {n} cuotas",
        "quota.day": "La cuenta {account} tiene {n} publicaciones programadas el {day}, más "
                     "que su límite diario de {cap}.",
        "quota.month": "La cuenta {account} pasa mañana su límite mensual de {cap} ({n} "
                       "publicaciones este mes).",
        "quota.todo": "mueve algunas publicaciones de mañana: `toolkit schedule --days 2` y "
                      "luego `toolkit queue reschedule ID --at HORA`",
        "store.title": "No se puede abrir la base de datos",
        "store.what": "El programador no puede usar su base de datos, así que no se publica "
                      "nada: {detail}",
        "store.todo": "revisa la base de datos (disco, archivo, permisos) y luego ejecuta "
                      "`toolkit status`",
        "library.title": "No se puede cargar la biblioteca de publicaciones",
        "library.many": "No se puede cargar la biblioteca de publicaciones ({n} errores)",
        "library.what": "No se publica nada hasta que la biblioteca vuelva a cargarse (las "
                        "publicaciones pendientes siguen aprobadas): {detail}",
        "library.todo": "corrige el archivo indicado (`toolkit check` muestra todos los "
                        "errores); las publicaciones saldrán solas cuando cargue",
        "site.title": "El kit para compartir está desactualizado",
        "site.many": "El kit para compartir está desactualizado",
        "site.what": "El kit para compartir ya pasó su fecha de validez, {detail}: puede "
                     "mostrar una afirmación o datos de legisladores que ya no están revisados.",
        "site.todo": "`toolkit site build` y vuelve a publicar la carpeta (reconstrúyelo cada "
                     "día, por ejemplo con cron)",
        "down.title": "{detail} se ha detenido", "down.many": "{n} servicios se han detenido",
        "down.what": "systemd dejó de reiniciar {detail} tras varios fallos: no se publica nada "
                     "hasta que vuelva a funcionar.",
        "down.todo": "`journalctl -u {detail} -n 50` dice por qué; corrígelo y luego "
                     "`systemctl restart {detail}`",
        "post": "Publicación {id}: «{text}» en {platform} ({account}), prevista para {when}",
        "reason": "Motivo: {detail}",
        "todo": "Qué hacer: {todo}",
        "open": "O abre {url}",
        "more": "… y {n} más (`toolkit status`)",
        "digest.title": "Resumen diario, {day}",
        "digest.tomorrow": "Mañana ({day}): {n} publicación(es)",
        "digest.none_tomorrow": "No hay publicaciones para mañana ({day}).",
        "digest.waiting": "Esperan a una persona: {n}",
        "digest.none_waiting": "Nada espera a una persona.",
        "digest.held": "La cuenta {account} está frenada por un límite de envíos hasta {until}",
        "digest.todo": "`toolkit schedule --days 2` y `toolkit status`",
        "digest.best": "La publicación de ayer con más interacciones: {id} en {platform} "
                       "({account}), {n} en el último recuento: \"{text}\"",
        "status.approved": "aprobada", "status.draft": "borrador, falta aprobarla",
        "status.failed": "falló", "status.missed": "no salió a su hora",
        "status.needs_check": "necesita revisión",
        "status.changes_requested": "piden cambios",
        "test.title": "Mensaje de prueba del kit #SaveAsylum",
        "test.body": "El canal {channel} funciona: por aquí el programador te avisará cuando "
                     "haga falta una persona.",
    },
}

POST_KINDS = ("failed", "missed", "needs_check", "changes_requested", "review_requested")


def when(value: datetime, tz: tzinfo) -> str:
    """A time as people read it: in the campaign's timezone, with its abbreviation."""
    return value.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def text_start(text: str, size: int = TEXT_START) -> str:
    """The first words of a post, on one line."""
    flat = " ".join(text.split())
    return flat if len(flat) <= size else flat[:size - 1].rstrip() + "…"


def render(kind: str, events: Sequence[Event], lang: str, tz: tzinfo,
           web_url: str | None = None) -> tuple[str, str]:
    """(title, body) of the one message for `events`, all of one `kind`."""
    t = TEXTS[lang]
    first = events[0]
    fields = {"account": first.account or "", "detail": first.detail or "",
              "until": when(first.until, tz) if first.until else "", "n": len(events)}
    if kind == "quota":
        fields["detail"] = _quota_line(first, t)
    title = (t[f"{kind}.title"] if len(events) == 1 else t[f"{kind}.many"]).format(**fields)
    lines: list[str] = []
    if kind in POST_KINDS:
        lines.append(t[f"{kind}.what"])
        for ev in events[:LIST_MAX]:
            lines.append(_post_line(ev, t, tz))
            if ev.detail and len(events) == 1:
                lines.append(t["reason"].format(detail=ev.detail))
    else:
        for ev in events[:LIST_MAX]:
            lines.append(_account_line(kind, ev, t, tz))
    if len(events) > LIST_MAX:
        lines.append(t["more"].format(n=len(events) - LIST_MAX))
    post_id = first.post.id if first.post is not None and len(events) == 1 else "ID"
    lines.append("")
    todo = t[f"{kind}.todo"].format(id=post_id, detail=first.detail or "")
    lines.append(t["todo"].format(todo=todo))
    link = _link(kind, events, web_url)
    if link:
        lines.append(t["open"].format(url=link))
    return "#SaveAsylum: " + title, "\n".join(lines)


def render_digest(digest: Digest, lang: str, tz: tzinfo,
                  web_url: str | None = None) -> tuple[str, str]:
    """(title, body) of the daily digest: tomorrow's posts and what waits for a person."""
    t = TEXTS[lang]
    day = digest.tomorrow.isoformat()
    lines = [t["digest.tomorrow"].format(day=day, n=len(digest.tomorrow_posts))
             if digest.tomorrow_posts else t["digest.none_tomorrow"].format(day=day)]
    for p in digest.tomorrow_posts[:LIST_MAX]:
        status = t.get(f"status.{p.status}", p.status)
        lines.append(f"- {p.scheduled_at.astimezone(tz):%H:%M} {p.platform} ({p.account}) "
                     f"{p.id}, {status}: \"{text_start(p.text)}\"")
    if len(digest.tomorrow_posts) > LIST_MAX:
        lines.append(t["more"].format(n=len(digest.tomorrow_posts) - LIST_MAX))
    lines.append("")
    lines.append(t["digest.waiting"].format(n=len(digest.waiting)) if digest.waiting
                 else t["digest.none_waiting"])
    for p in digest.waiting[:LIST_MAX]:
        status = t.get(f"status.{p.status}", p.status)
        lines.append(f"- {p.id}, {status}: \"{text_start(p.text)}\" on {p.platform} "
                     f"({p.account}), {when(p.scheduled_at, tz)}")
    if len(digest.waiting) > LIST_MAX:
        lines.append(t["more"].format(n=len(digest.waiting) - LIST_MAX))
    if digest.drafts:
        lines.append(t["digest.drafts"].format(n=digest.drafts))
    if digest.best is not None:
        b = digest.best
        lines.append(t["digest.best"].format(id=b.id, platform=b.platform, account=b.account,
                                             n=b.engagement, text=text_start(b.text)))
    for account, until in sorted(digest.held.items()):
        lines.append(t["digest.held"].format(account=account, until=when(until, tz)))
    lines.append("")
    lines.append(t["todo"].format(todo=t["digest.todo"]))
    if web_url:
        lines.append(t["open"].format(url=web_url + "/"))
    return "#SaveAsylum: " + t["digest.title"].format(day=digest.today.isoformat()), \
        "\n".join(lines)


def render_test(channel: str, lang: str) -> tuple[str, str]:
    """(title, body) of `toolkit notify test`."""
    t = TEXTS[lang]
    return t["test.title"], t["test.body"].format(channel=channel)


def _post_line(ev: Event, t: dict[str, str], tz: tzinfo) -> str:
    p = ev.post
    assert p is not None
    return t["post"].format(id=p.id, text=text_start(p.text), platform=p.platform,
                            account=p.account, when=when(p.scheduled_at, tz))


def _account_line(kind: str, ev: Event, t: dict[str, str], tz: tzinfo) -> str:
    if kind == "quota":
        return _quota_line(ev, t)
    until = when(ev.until, tz) if ev.until else ""
    line = t[f"{kind}.what"].format(account=ev.account or "", until=until,
                                    detail=ev.detail or "")
    if kind == "auth" and ev.post is not None:
        line += "\n" + _post_line(ev, t, tz)
    return line


def _quota_line(ev: Event, t: dict[str, str]) -> str:
    q = ev.quota
    if q is None:
        return ev.detail or ""
    return t[f"quota.{q.scope}"].format(account=ev.account, n=q.count, cap=q.cap,
                                        day=q.day.isoformat())


def _link(kind: str, events: Sequence[Event], web_url: str | None) -> str | None:
    if not web_url or kind in ("store", "down"):  # the web app may be down as well
        return None
    if kind in POST_KINDS and len(events) == 1 and events[0].post is not None:
        return f"{web_url}/posts/{events[0].post.id}"
    return web_url + "/"
