"""Cross-checks of the library against the config: the rules `toolkit check` enforces.

Loading (`loader.py`) catches shapes and types; these checks catch meaning: unknown statistics
and cards, missing languages, numbers that do not come from a statistic, stale statistics and
unverified ones in use. A text's length after tagging is measured by a higher layer
(`toolkit.compose.text.check_lengths`), passed in as `after_message` so its problems keep their
place.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date

from toolkit.core import clock
from toolkit.core.config import Config
from toolkit.core.errors import ComposeError
from toolkit.core.problems import Problem, Problems
from toolkit.library.models import PLACEHOLDER, Library, Message
from toolkit.library.skeleton import skeleton
from toolkit.library.textrules import (
    has_number_rules,
    known_placeholders,
    number_words_in,
    numbers_in,
    plain_text,
    unknown_placeholders,
)

#: a check run right after a message's own checks, when its placeholders are all known
MessageCheck = Callable[[Message, Problems], None]


def check_library(config: Config, library: Library, problems: Problems,
                  today: date | None = None, strict: bool = False,
                  after_message: MessageCheck | None = None) -> None:
    """Add every cross-check problem of `library` to `problems` (and `after_message`'s)."""
    today = today or clock.today(config.timezone)  # the campaign's day, as approval's
    for message in library.messages.values():
        if _check_message(config, library, message, problems, strict) and after_message:
            after_message(message, problems)
    for card in library.cards.values():
        o = card.origin
        if card.statistic and card.statistic not in library.statistics:
            problems.error(o.path, o.at("statistic"),
                           f"card '{card.id}' names unknown statistic '{card.statistic}'")
        _check_card_text(config, card, problems)
    for stat in library.statistics.values():
        o = stat.origin
        age = (today - stat.as_of).days if stat.as_of else 0
        if stat.kind == "count" and age > config.statistic_max_age_days:
            problems.warning(o.path, o.at("as_of"),
                             f"statistic '{stat.id}' is {age} days old "
                             f"(as of {stat.as_of_text}; limit {config.statistic_max_age_days})")
    check_claims(config, library, problems, today, strict)
    check_figures_in_labels(library, problems)


def check_errors(config: Config, library: Library, today: date) -> list[str]:
    """The texts of `toolkit check`'s errors for `library` on `today` (the fact gate holds a
    post whose facts one of them names)."""
    problems = Problems()
    check_library(config, library, problems, today)
    return [p.message for p in problems.errors]


def message_errors(config: Config, library: Library, message: Message,
                   after_message: MessageCheck | None = None) -> list[Problem]:
    """The `toolkit check` errors of one message (and of its card's text), in file order."""
    problems = Problems()
    if _check_message(config, library, message, problems, strict=False) and after_message:
        after_message(message, problems)
    card = library.cards.get(message.card or "")
    if card is not None:
        _check_card_text(config, card, problems)
    return problems.errors


def require_clean(config: Config, library: Library, message: Message,
                  after_message: MessageCheck | None = None) -> None:
    """Raise `ComposeError` with the first `path:line: problem` when `toolkit check` would
    report an error for `message` (`toolkit.compose.text.require_clean` adds the length check)."""
    errors = message_errors(config, library, message, after_message)
    if errors:
        first = errors[0]
        more = f" (and {len(errors) - 1} more; see `toolkit check`)" if len(errors) > 1 else ""
        raise ComposeError(f"{first.path}:{first.line}: {first.message}{more}")


def _check_card_text(config: Config, card, problems: Problems) -> None:
    o = card.origin
    for lang, text in card.text.items():
        check_numbers(config, text, lang, problems, o.path, o.at("text"),
                      f"card '{card.id}' ({lang})")
        check_no_present_tense(config, text, lang, problems, o.path, o.at("text"),
                               f"card '{card.id}' ({lang})")


def _check_message(config: Config, library: Library, message: Message, problems: Problems,
                   strict: bool) -> bool:
    """Add the message's problems; whether its text can be composed (placeholders all known)."""
    o = message.origin
    text_line = o.at("text")
    for platform in message.platforms:
        if platform not in config.platforms:
            problems.error(o.path, o.at("platforms"),
                           f"message '{message.id}' targets unknown platform '{platform}'")
    if message.card and message.card not in library.cards:
        problems.error(o.path, o.at("card"),
                       f"message '{message.id}' names unknown card '{message.card}'")
    unknown = False
    known = known_placeholders(library)
    for lang, template in message.text.items():
        if lang not in config.languages:
            problems.warning(o.path, text_line, f"message '{message.id}' has text in '{lang}', "
                             "which is not one of the campaign's languages")
        for braces in unknown_placeholders(template, known):
            single = PLACEHOLDER.fullmatch(braces)
            what = (f"names unknown statistic '{braces}'" if single else
                    f"has the brace placeholder '{braces}', which is not a known statistic "
                    "(write one '{statistic-id}' or remove the braces)")
            problems.error(o.path, text_line, f"message '{message.id}' ({lang}) {what}")
            unknown = unknown or single is not None
        check_numbers(config, template, lang, problems, o.path, text_line,
                      f"message '{message.id}' ({lang})")
    for sid in library.unverified_of(message):
        line = o.at("card") if sid not in message.statistic_ids() else text_line
        text = (f"message '{message.id}' uses unverified statistic '{sid}' (the fact gate keeps "
                "it from publishing until a person confirms the figure)")
        (problems.error if strict else problems.warning)(o.path, line, text)
    return not unknown


def check_numbers(config: Config, template: str, lang: str, problems: Problems, path: str,
                  line: int, what: str) -> None:
    """Numbers (any Unicode numeral, or written as words) must come from a statistic
    placeholder or the config allowlist."""
    if not has_number_rules(lang):
        problems.error(path, line, f"{what} is in language '{lang}', for which the number rules "
                       "know no number words (they cannot be checked)")
        return
    plain = plain_text(template)
    allowed = {a.casefold() for a in config.number_allowlist}
    for number in [*numbers_in(plain), *number_words_in(plain, lang)]:
        if number.casefold() not in allowed:
            problems.error(path, line, f"{what} has the number '{number}', which comes from no "
                           "statistic (use a {statistic-id} placeholder, or allowlist it in "
                           "library.number_allowlist)")


def unsourced_numbers(config: Config, library: Library, text: str, lang: str) -> list[str]:
    """The numbers of a free text (`compose --text`, not a library message) that neither the
    allowlist nor a verified statistic's display form in `lang` accounts for."""
    plain = plain_text(text)
    found = [*numbers_in(plain), *number_words_in(plain, lang)]  # an unknown `lang` raises
    allowed = {a.casefold() for a in config.number_allowlist}
    for stat in library.statistics.values():
        shown = plain_text(stat.display.get(lang, "")) if stat.verified else ""
        allowed |= {n.casefold() for n in [*numbers_in(shown), *number_words_in(shown, lang)]}
    return [n for n in dict.fromkeys(found) if n.casefold() not in allowed]


def check_claims(config: Config, library: Library, problems: Problems, today: date,
                 strict: bool = False) -> None:
    """Claims: a warning for each past its review date; per message, an error for an unknown
    claim or for words about the policy's present (config `library.present_tense`) without a
    claim, and a warning (an error with `strict`) for each unverified or stale claim it rests on,
    as for statistics."""
    report = problems.error if strict else problems.warning
    for claim in library.claims.values():
        if claim.stale(today):
            line = claim.origin.field_lines.get("review_by", claim.origin.at("max_age_days"))
            report(claim.origin.path, line, f"claim '{claim.id}' is past its review date "
                   f"({claim.review_by.isoformat()}; as of {claim.as_of_text}): check that it "
                   "still holds")
    for message in library.messages.values():
        o = message.origin
        line = o.at("claims")
        for cid in message.claims:
            if cid not in library.claims:
                problems.error(o.path, line, f"message '{message.id}' names unknown claim '{cid}'")
        if not message.claims:
            for lang, template in message.text.items():
                said = present_tense_words(config, lang, template)
                if said:
                    problems.error(o.path, o.at("text"), f"message '{message.id}' ({lang}) speaks "
                                   f"about the policy's present ({said!r}) without a dated claim: "
                                   "date the sentence or add 'claims: [...]'")
        for cid in library.unverified_claims_of(message):
            report(o.path, line, f"message '{message.id}' rests on unverified claim '{cid}' (the "
                   "fact gate keeps it from publishing until a person confirms it)")
        for cid in library.stale_claims_of(message, today):
            report(o.path, line, f"message '{message.id}' rests on stale claim '{cid}' (past its "
                   "review date: the fact gate keeps it from publishing until a person checks it)")


def check_no_present_tense(config: Config, text: str, lang: str, problems: Problems, path: str,
                           line: int, what: str) -> None:
    """An error when words that cannot rest on a dated claim (a card, the share kit's or the
    members pages' own words) speak about the policy's present."""
    said = present_tense_words(config, lang, text)
    if said:
        problems.error(path, line, f"{what} speaks about the policy's present ({said!r}), which "
                       "only a message with a dated claim may do: date the sentence or say it in "
                       "a message with 'claims: [...]'")


def present_tense_words(config: Config, lang: str, text: str) -> str | None:
    """The first of the config's present-tense words for `lang` that `text` uses, if any (read
    on the text's skeleton: zero-width characters and look-alike letters hide no word)."""
    text = skeleton(text)
    for phrase in config.present_tense.get(lang, ()):
        if re.search(r"(?<!\w)" + re.escape(skeleton(phrase)) + r"(?!\w)", text,
                     flags=re.IGNORECASE):
            return phrase
    return None


def check_figures_in_labels(library: Library, problems: Problems) -> None:
    """A count's label must show the figure as the card does (its display form per language),
    so a change of number format cannot leave '1.544' in a label beside '1,544'."""
    for stat in library.statistics.values():
        if stat.kind != "count":
            continue
        for lang, label in stat.label.items():
            shown = stat.display.get(lang)
            if shown and shown not in label:
                problems.error(stat.origin.path, stat.origin.at("label"),
                               f"statistic '{stat.id}' label ({lang}) does not show the figure "
                               f"as {shown!r} (its display form in {lang})")
