"""Signals of the accounts app, for the layers above it."""

from django.dispatch import Signal

# Sent inside the transaction that approves or refuses an access request (kwargs: access_request), so that the
# notices app queues the e-mail to the requester in the same transaction: a rolled-back decision sends nothing.
access_request_decided = Signal()

# Sent inside the transaction that records a new access request (kwargs: access_request): notices tells the people
# who may decide it.
access_requested = Signal()
