"""Composing a post's exact text: placeholders filled with their display form,
`#SaveAsylum` added, the link appended, the length counted per platform (and cached), and the
limits Mastodon instances report. It may import `core` and `library`.
"""
