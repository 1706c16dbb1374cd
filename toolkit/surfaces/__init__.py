"""What people run: the `toolkit` command line (`surfaces.cli`, one module per
command, started by `surfaces.launch`), the review web app (`surfaces.web`), the factory both
share (`surfaces.app`), the library editor both use (`surfaces.editing`), `toolkit check`'s
collector and `make run`. Nothing imports it.
"""
