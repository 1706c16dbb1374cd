"""What every layer uses: errors and `path:line` problems, line-aware YAML loading,
atomic writes, the one clock, secrets and their redaction, the declarative config options and the
validated campaign config (`core.config`), its settings, languages and platform table, and where
a SQLite store's file is (`core.storefile`). It imports nothing else of the toolkit.
"""
