"""Members of Congress for the supporter site: dated data, call scripts and addressed posts.

`view.members_view` builds what the pages show (refusing stale data unless allowed),
`pages.render_index` / `pages.render_state` render the Jinja2 partials in `templates/`, and
`pages.write_state_json` writes one small JSON per state. `checks.check_members` is part of
`toolkit check`; `update.update_roster` is `toolkit congress update`.
"""
