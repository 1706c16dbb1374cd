"""Proposing statistics and claims (saved `verified: false`, waiting for a person) and
confirming them under the four-eyes rule: only a lead, never the person who proposed it; who
confirmed it and when go into the file (`verified_by`, `verified_at`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from toolkit.core.config import Config
from toolkit.core.errors import InputError
from toolkit.library.four_eyes import person
from toolkit.library.loader import STAT_KINDS
from toolkit.surfaces.editing.fields import FieldProblems, check_id, short, text_of
from toolkit.surfaces.editing.save import Change, loaded

FACT_SECTIONS = ("statistics", "claims")
#: how long a proposed claim holds after its as-of date unless the form says otherwise
CLAIM_DAYS = 90
FOUR_EYES_FACT = ("four-eyes rule: you proposed {id} yourself, so another lead must confirm it")


def _as_of(form: Mapping[str, Any], problems: FieldProblems) -> str:
    value = short(form, "as_of", problems, required=True)
    if value:
        try:
            date.fromisoformat(value if len(value) == 10 else f"{value}-01"[:10])
        except ValueError:
            problems.add("as_of", f"{value[:40]!r} is not a date like 2021-02-19 or 2021-02")
    return value


def _source(form: Mapping[str, Any], problems: FieldProblems) -> dict:
    url = short(form, "source_url", problems, required=True)
    if url and not url.startswith(("https://", "http://")):
        problems.add("source_url", "must be an http(s) URL")
    return {"name": short(form, "source_name", problems, required=True), "url": url}


def proposed_item(config: Config, section: str, form: Mapping[str, Any], by: str,
                  taken: set[str]) -> tuple[dict, FieldProblems]:
    """A new statistic or claim from a form, `verified: false`, with who proposed it."""
    problems = FieldProblems()
    item: dict = {"id": check_id(short(form, "id", problems), "id", problems, taken)}
    if section == "statistics":
        kind = short(form, "stat_kind", problems) or "count"
        if kind not in STAT_KINDS:
            problems.add("stat_kind", f"must be one of {', '.join(STAT_KINDS)}")
        raw = short(form, "value", problems, required=True)
        item["kind"] = kind
        item["value"] = int(raw.replace(",", "")) if kind == "count" and \
            raw.replace(",", "").isdigit() else raw
        displays = {lang: text_of(form, f"display_{lang}", problems, required=kind != "count")
                    for lang in config.languages}
        if any(displays.values()):
            item["display"] = displays
        item["label"] = {lang: text_of(form, f"label_{lang}", problems)
                         for lang in config.languages}
        scope = {lang: _words_list(form.get(f"scope_{lang}")) for lang in config.languages}
        if any(scope.values()):
            item["scope"] = scope
    elif section == "claims":
        item["text"] = {lang: text_of(form, f"text_{lang}", problems)
                        for lang in config.languages}
    else:
        raise InputError(f"unknown kind of fact '{section}'")
    item["source"] = _source(form, problems)
    item["as_of"] = _as_of(form, problems)
    if section == "claims":
        item["max_age_days"] = CLAIM_DAYS
    item["verified"] = False
    item["proposed_by"] = by
    return item, problems


def _words_list(value: Any) -> list[str]:
    """Scope words: one per line or separated by semicolons ("at least; publicly reported")."""
    if not value:
        return []
    return [w.strip() for w in str(value).replace("\n", ";").split(";") if w.strip()]


def verification(config: Config, fact_id: str, by: str, now: datetime,
                 lead: bool = True) -> Change:
    """The change that marks statistic or claim `fact_id` verified by `by` at `now`; refused
    for a non-lead, for the person who proposed it, and for one already verified."""
    if not lead:
        raise InputError("only a lead may mark a statistic or claim verified")
    for section in FACT_SECTIONS:
        found = loaded(config, section, fact_id)
        if found is None:
            continue
        _, item, base = found
        if item.get("verified") is True:
            raise InputError(f"'{fact_id}' is already verified")
        if person(str(item.get("proposed_by") or "")) == person(by):
            raise InputError(FOUR_EYES_FACT.format(id=f"'{fact_id}'"))
        item.update(verified=True, verified_by=by,
                    verified_at=now.astimezone(UTC).isoformat(timespec="seconds"))
        return Change(section, fact_id, item, by, base, "verify")
    raise InputError(f"no statistic or claim '{fact_id}'")

