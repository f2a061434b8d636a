"""Signals by which higher layers add to registry pages without the registry importing them (DESIGN §3)."""

from django.dispatch import Signal

# Sent while a local government's page is rendered, with `request` and `local_government`. A receiver returns an
# HTML fragment (a section of the page, already scoped to request.user) or "" to add nothing.
local_government_page = Signal()

# Sent while a province's page is rendered, with `request` and `province`; receivers return HTML or "" (as above).
province_page = Signal()
