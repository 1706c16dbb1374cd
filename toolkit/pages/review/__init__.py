"""Reviewing the schedule: terminal table, iCalendar file and a static HTML calendar."""
