"""The public permalink of a return's final results: a random slug, created once and kept.

The slug is the only thing that opens the public page, its embed and its PDF; the views also check that the
return is final (accepted) each time, so a reopened return's link answers 404 until it is accepted again.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.registry.scoping import ScopedQuerySet


def new_slug() -> str:
    """32 URL-safe characters (24 random bytes): not guessable, not derived from the return."""
    return secrets.token_urlsafe(24)


class PublicLinkQuerySet(ScopedQuerySet):
    scope_path = "assessment__local_government__"


class PublicLink(models.Model):
    assessment = models.OneToOneField(
        "assessments.Assessment", on_delete=models.CASCADE, related_name="public_link", verbose_name=_("return")
    )
    slug = models.CharField(_("slug"), max_length=64, unique=True, default=new_slug, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)

    objects = PublicLinkQuerySet.as_manager()
    framework_objects = PublicLinkQuerySet.framework_manager()

    class Meta:
        default_manager_name = "framework_objects"
        verbose_name = _("public results link")
        verbose_name_plural = _("public results links")

    def __str__(self) -> str:
        return f"{self.assessment_id}: {self.slug[:6]}…"
