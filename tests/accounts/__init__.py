"""Accounts, roles and the security baseline."""
