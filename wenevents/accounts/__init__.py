"""Accounts and roles: sign-in, invitations, password reset, organisers' user management."""
