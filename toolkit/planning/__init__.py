"""Planning the queue: adding, importing, approving and rescheduling posts
(`Planner`), posting slots across DST, daily and monthly caps, and the list of what waits for a
person. It may import the layers below it, down to `core`.
"""
