"""The share graphics: Pillow cards in every format, fitting, contrast, alt text,
the parallel incremental build, its manifest and the no-change stamp. It may import `core`,
`library` and `compose`.

Share graphics: layouts, fonts, contrast, fitting, alt text and the incremental batch build.

`toolkit.graphics.manifest` imports nothing heavy (no Pillow), so the scheduler can read the build
output cheaply; the rest of the package needs Pillow and the `font-lato` fonts.
"""
