"""Telling a person when one is needed: events from the store, messages, a retrying outbox."""
