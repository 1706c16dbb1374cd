"""`/insights` (leads and staff): what worked. The `stats report` tables for every grouping,
a bar chart per grouping (SVG drawn on the server), the top and bottom posts with their text
and card, and `/insights.csv?by=…` for a spreadsheet."""

from __future__ import annotations

from flask import Blueprint, Response, abort, render_template, request
from markupsafe import Markup

from toolkit.core.errors import InputError
from toolkit.operations.insights.charts import bar_chart
from toolkit.operations.insights.export import report_posts, since_start, skipped, to_csv
from toolkit.operations.insights.report import GROUPINGS, ranked, report
from toolkit.surfaces.web.views import Thumbs, toolkit

bp = Blueprint("insights", __name__)
#: the page's order: what a post rests on first, then when and where it went out
PAGE_ORDER = ("statistic", "card", "message", "claim", "lang", "platform", "account",
              "weekday", "slot")
#: rows a table shows (the most engaging first); the CSV has every one
ROWS_SHOWN = 40

CAVEAT = ("Counts are public counts (likes, reposts, replies, quotes) as each platform showed "
          "them at the times sampled: +1 h, +24 h and +7 days after publishing. They say "
          "nothing of who saw a post or acted on it; quotes are not counted on Mastodon, and "
          "X only when its account may read.")
LABELS = {"message": "Message", "statistic": "Statistic", "claim": "Claim", "card": "Card",
          "lang": "Language", "platform": "Platform", "account": "Account",
          "weekday": "Weekday", "slot": "Posting slot"}


def _since():
    """The `since` query parameter as the start of that day (400 when it is not a date)."""
    tk = toolkit()
    try:
        return since_start(request.args.get("since") or None, tk.config.timezone)
    except InputError:
        abort(400)


@bp.route("/insights")
def insights():
    """The page."""
    tk = toolkit()
    since = _since()
    posts = report_posts(tk, since, skip=("text",))  # the ranked posts' texts only, below
    tz = tk.config.timezone
    tables = []
    for by in PAGE_ORDER:
        rows = report(posts, by, tz)
        value = "per_post_24h" if any(r["per_post_24h"] is not None for r in rows) \
            else "median_per_post"
        what = "+24 h" if value == "per_post_24h" else "(median, latest)"
        chart = bar_chart(rows, value, f"{LABELS[by]}: engagement per post {what}")
        tables.append({"by": by, "label": LABELS[by], "rows": rows[:ROWS_SHOWN],
                       "more": max(0, len(rows) - ROWS_SHOWN), "chart": Markup(chart)})
    top, bottom = ranked(posts)
    thumbs = Thumbs()

    def view(p):
        p.text = tk.store.get(p.id).text
        return {"post": p, "thumb": thumbs.card(p.card, p.platform, p.lang),
                "when": p.published_at.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                if p.published_at else ""}

    return render_template("insights.html", title="What worked", caveat=CAVEAT,
                           tables=tables, top=[view(p) for p in top],
                           bottom=[view(p) for p in bottom], posts=len(posts),
                           sampled=sum(1 for p in posts if p.latest is not None),
                           since=request.args.get("since", ""), groupings=GROUPINGS)


@bp.route("/insights.csv")
def insights_csv():
    """One grouping's rows as CSV (`?by=statistic&since=2026-12-01`)."""
    tk = toolkit()
    by = request.args.get("by", "message")
    if by not in GROUPINGS:
        abort(400)
    posts = report_posts(tk, _since(), cards=by == "card", skip=skipped(by))
    rows = report(posts, by, tk.config.timezone)
    return Response(to_csv(rows, by), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="insights-{by}.csv"'})
