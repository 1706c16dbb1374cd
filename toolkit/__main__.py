"""`python -m toolkit` runs the command line, through the same launcher as the `toolkit` script."""

from toolkit.surfaces.launch import main

main()
