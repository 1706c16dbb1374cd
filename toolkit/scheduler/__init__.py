"""Dispatching due posts exactly once (claim, publish, record, reconcile), building
the scheduler's parts from a config, and the APScheduler daemon with its notifier thread. It may
import every layer below it.
"""
