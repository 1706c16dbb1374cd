"""Members of Congress as the toolkit holds them: one `Member` per seat holder, one `Roster`
per data file (with its source, licence and dates), and the per-state grouping the site shows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from toolkit.core.errors import LibraryError

#: the 50 states (two senators each) and the six places with a non-voting House member
STATES: dict[str, str] = {
    "AL": "Alabama", "AK": "Alaska", "AZ": "Arizona", "AR": "Arkansas", "CA": "California",
    "CO": "Colorado", "CT": "Connecticut", "DE": "Delaware", "FL": "Florida", "GA": "Georgia",
    "HI": "Hawaii", "ID": "Idaho", "IL": "Illinois", "IN": "Indiana", "IA": "Iowa",
    "KS": "Kansas", "KY": "Kentucky", "LA": "Louisiana", "ME": "Maine", "MD": "Maryland",
    "MA": "Massachusetts", "MI": "Michigan", "MN": "Minnesota", "MS": "Mississippi",
    "MO": "Missouri", "MT": "Montana", "NE": "Nebraska", "NV": "Nevada", "NH": "New Hampshire",
    "NJ": "New Jersey", "NM": "New Mexico", "NY": "New York", "NC": "North Carolina",
    "ND": "North Dakota", "OH": "Ohio", "OK": "Oklahoma", "OR": "Oregon", "PA": "Pennsylvania",
    "RI": "Rhode Island", "SC": "South Carolina", "SD": "South Dakota", "TN": "Tennessee",
    "TX": "Texas", "UT": "Utah", "VT": "Vermont", "VA": "Virginia", "WA": "Washington",
    "WV": "West Virginia", "WI": "Wisconsin", "WY": "Wyoming",
}
TERRITORIES: dict[str, str] = {
    "DC": "District of Columbia", "PR": "Puerto Rico", "GU": "Guam", "VI": "U.S. Virgin Islands",
    "AS": "American Samoa", "MP": "Northern Mariana Islands",
}
#: Spanish names where they differ from the English ones
NAMES_ES: dict[str, str] = {
    "HI": "Hawái", "LA": "Luisiana", "MI": "Míchigan", "MS": "Misisipi", "MO": "Misuri",
    "NJ": "Nueva Jersey", "NM": "Nuevo México", "NY": "Nueva York", "NC": "Carolina del Norte",
    "ND": "Dakota del Norte", "OR": "Oregón", "PA": "Pensilvania", "SC": "Carolina del Sur",
    "SD": "Dakota del Sur", "TN": "Tennessee", "WV": "Virginia Occidental",
    "DC": "Distrito de Columbia", "VI": "Islas Vírgenes de los Estados Unidos",
    "AS": "Samoa Estadounidense", "MP": "Islas Marianas del Norte",
}
#: the article a sentence needs before the name ("I live in the District of Columbia")
ARTICLES: dict[str, dict[str, str]] = {
    "en": {"DC": "the", "VI": "the", "MP": "the"},
    "es": {"DC": "el", "VI": "las", "MP": "las"},
}
CHAMBERS = ("senate", "house")
#: the day of the year (month, day) on which the terms of Congress end
TERM_DAY = (1, 3)


class MembersError(LibraryError):
    """The member data is missing, invalid or out of date."""


def state_name(code: str, lang: str = "en") -> str:
    """The state's (or territory's) name in `lang` (English where no Spanish form differs)."""
    english = STATES.get(code) or TERRITORIES.get(code, code)
    return NAMES_ES.get(code, english) if lang == "es" else english


def state_in_sentence(code: str, lang: str = "en") -> str:
    """The name as a sentence uses it, with its article where it takes one."""
    article = ARTICLES.get(lang, {}).get(code)
    return f"{article} {state_name(code, lang)}" if article else state_name(code, lang)


@dataclass(frozen=True)
class Member:
    """One member of Congress: a senator, a representative, or a non-voting delegate."""

    bioguide: str
    name: str
    chamber: str
    state: str
    party: str
    term_end: date
    district: int | None = None
    phone: str | None = None
    url: str | None = None
    contact_form: str | None = None
    x: str | None = None
    mastodon: str | None = None
    line: int = 0

    @property
    def delegate(self) -> bool:
        """A House member for DC or a territory (non-voting; Puerto Rico's is its Resident
        Commissioner)."""
        return self.chamber == "house" and self.state in TERRITORIES

    @property
    def at_large(self) -> bool:
        """The only House member of a state (district 0 in the data)."""
        return self.chamber == "house" and self.district == 0 and not self.delegate

    @property
    def tel(self) -> str | None:
        """The Washington office as a `tel:` URI (`tel:+12022243121`), or None."""
        return f"tel:+1{self.phone.replace('-', '')}" if self.phone else None

    def term_ended(self, today: date) -> bool:
        """Whether the term the data records has ended on `today` (the build's date): someone
        else may hold the seat until the data is refreshed."""
        return self.term_end < today

    @property
    def appointed(self) -> bool:
        """A senator whose term ends on a day other than January 3, when the terms of Congress
        end: appointed until a special election (the data records its date as the term's end)."""
        return self.chamber == "senate" and (self.term_end.month, self.term_end.day) != TERM_DAY

    def role(self) -> str:
        """`senator`, `representative`, `delegate` or `commissioner` (Puerto Rico)."""
        if self.chamber == "senate":
            return "senator"
        if self.state == "PR":
            return "commissioner"
        return "delegate" if self.delegate else "representative"


@dataclass(frozen=True)
class StateMembers:
    """One state's (or territory's) members: senators, then House members by district."""

    code: str
    senators: tuple[Member, ...]
    house: tuple[Member, ...]
    vacant_districts: tuple[int, ...] = ()

    @property
    def territory(self) -> bool:
        """DC or a territory: no senators, one non-voting House member."""
        return self.code in TERRITORIES

    @property
    def has_districts(self) -> bool:
        """Whether a supporter must know their district: not DC, a territory or an at-large
        state (one House member for the whole state)."""
        return not self.territory and not any(m.at_large for m in self.house)

    def name(self, lang: str = "en") -> str:
        """The state's name in `lang`."""
        return state_name(self.code, lang)


@dataclass
class Roster:
    """A member data file: header (source, licence, as-of and review dates) and members."""

    path: str
    as_of: date
    review_by: date
    source: str
    license: str
    members: list[Member] = field(default_factory=list)
    line_of: dict[str, int] = field(default_factory=dict)

    def same_until(self, today: date) -> date:
        """The last day the data shows the same members as sitting: the earliest term end on
        or after `today` (after it that member is shown as past their term), else `review_by`."""
        ends = [m.term_end for m in self.members if m.term_end >= today]
        return min([*ends, self.review_by])

    def by_state(self) -> dict[str, StateMembers]:
        """Every state and territory that has members, in the order of `STATES` then
        `TERRITORIES`; House members sorted by district, gaps in the numbering as vacancies."""
        out: dict[str, StateMembers] = {}
        for code in [*STATES, *TERRITORIES]:
            senators = tuple(sorted((m for m in self.members
                                     if m.state == code and m.chamber == "senate"),
                                    key=lambda m: m.name))
            house = tuple(sorted((m for m in self.members
                                  if m.state == code and m.chamber == "house"),
                                 key=lambda m: m.district or 0))
            if not senators and not house:
                continue
            numbered = {m.district for m in house if m.district}
            vacant = tuple(d for d in range(1, max(numbered, default=0) + 1) if d not in numbered)
            out[code] = StateMembers(code, senators, house, vacant)
        return out
