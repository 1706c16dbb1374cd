"""What is rendered for people to read: the supporters' share kit (`pages.site`), the
members-of-Congress data and pages (`pages.congress`), and the review templates, HTML schedule and
calendar feed shared with the web app (`pages.review`). It may import every layer below it.
"""
