"""Accounts (账户): users, passwords, bearer tokens, guards, the page session and log-in."""
