"""Visitor recognition and visit (session) rules."""
