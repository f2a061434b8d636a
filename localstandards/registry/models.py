"""Provinces, districts and local governments (อปท.), keyed by DOPA and DLA codes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from localstandards.core.collation import thai
from localstandards.registry.scoping import ScopedQuerySet, accessible_units


class Region(models.TextChoices):
    """The six geographic regions (Royal Institute); used to group provinces in national reports."""

    NORTH = "NORTH", _("Northern region")
    NORTHEAST = "NORTHEAST", _("Northeastern region")
    CENTRAL = "CENTRAL", _("Central region")
    EAST = "EAST", _("Eastern region")
    WEST = "WEST", _("Western region")
    SOUTH = "SOUTH", _("Southern region")


class LocalGovernmentType(models.TextChoices):
    PAO = "PAO", _("Provincial Administrative Organization")
    CITY = "CITY", _("City Municipality")
    TOWN = "TOWN", _("Town Municipality")
    SUBDISTRICT = "SUBDISTRICT", _("Subdistrict Municipality")
    SAO = "SAO", _("Subdistrict Administrative Organization")
    SPECIAL = "SPECIAL", _("Pattaya City")
    BMA = "BMA", _("Bangkok Metropolitan Administration")


# Short Thai labels as DLA prints them (อบจ., อบต.), used in tables and in indicator wording.
TYPE_SHORT_LABELS = {
    LocalGovernmentType.PAO: _("PAO"),
    LocalGovernmentType.CITY: _("City Mun."),
    LocalGovernmentType.TOWN: _("Town Mun."),
    LocalGovernmentType.SUBDISTRICT: _("Subdistrict Mun."),
    LocalGovernmentType.SAO: _("SAO"),
    LocalGovernmentType.SPECIAL: _("Pattaya"),
    LocalGovernmentType.BMA: _("BMA"),
}


MAX_PLAUSIBLE_AREA_KM2 = 25000


class ProvinceQuerySet(models.QuerySet):
    def for_user(self, user) -> ProvinceQuerySet:
        return self.filter(accessible_units(user).province_q())


class DistrictQuerySet(models.QuerySet):
    def for_user(self, user) -> DistrictQuerySet:
        return self.filter(accessible_units(user).district_q())


class Province(models.Model):
    code = models.CharField(_("DOPA code"), max_length=2, unique=True)
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)
    region = models.CharField(_("region"), max_length=16, choices=Region.choices)

    objects = ProvinceQuerySet.as_manager()

    class Meta:
        ordering = [thai("name_th")]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")

    def __str__(self) -> str:
        return self.name_th

    @property
    def geojson_code(self) -> str:
        """The ADM1_PCODE used by th_provinces.geojson (TH + DOPA code)."""
        return f"TH{self.code}"


class District(models.Model):
    code = models.CharField(_("DOPA code"), max_length=4, unique=True)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="districts")
    name_th = models.CharField(_("name (Thai)"), max_length=100)
    name_en = models.CharField(_("name (English)"), max_length=100, blank=True)

    objects = DistrictQuerySet.as_manager()

    class Meta:
        ordering = [thai("name_th")]
        verbose_name = _("district")
        verbose_name_plural = _("districts")

    def __str__(self) -> str:
        return self.name_th


class LocalGovernmentQuerySet(ScopedQuerySet):
    scope_path = ""  # the model is the local government itself
    # The registry is public (DLA's open list, the public pages): for_user narrows it, no query is refused.
    guarded = False

    def active(self) -> LocalGovernmentQuerySet:
        return self.filter(is_active=True)


class LocalGovernment(models.Model):
    dla_code = models.CharField(
        _("DLA code"), max_length=7, unique=True, null=True, blank=True, help_text=_("7 digits; Bangkok has none.")
    )
    name_th = models.CharField(_("name (Thai)"), max_length=200)
    full_name_th = models.CharField(_("full name (Thai)"), max_length=250)
    type = models.CharField(_("type"), max_length=16, choices=LocalGovernmentType.choices)
    province = models.ForeignKey(Province, on_delete=models.PROTECT, related_name="local_governments")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="local_governments", null=True, blank=True
    )
    office_address_no = models.CharField(_("office address no."), max_length=100, blank=True)
    office_moo = models.CharField(_("village no. (moo)"), max_length=100, blank=True)
    postcode = models.CharField(_("postcode"), max_length=10, blank=True)
    area_km2 = models.DecimalField(_("area (km²)"), max_digits=14, decimal_places=3, null=True, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    website = models.CharField(_("website"), max_length=300, blank=True)
    is_active = models.BooleanField(
        _("active"), default=True, help_text=_("Inactive when the latest registry file no longer lists it.")
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = LocalGovernmentQuerySet.as_manager()

    class Meta:
        ordering = [thai("province__name_th"), thai("district__name_th"), thai("name_th")]
        verbose_name = _("local government")
        verbose_name_plural = _("local governments")
        indexes = [models.Index(fields=["type", "province"]), models.Index(fields=["name_th"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(type="BMA") | models.Q(dla_code__regex=r"^[0-9]{7}$"),
                name="local_government_dla_code_7_digits",
            ),
            models.UniqueConstraint(fields=["type"], condition=models.Q(type="BMA"), name="only_one_bma"),
        ]

    def __str__(self) -> str:
        return self.full_name_th

    @property
    def type_short_label(self) -> str:
        return str(TYPE_SHORT_LABELS[LocalGovernmentType(self.type)])

    @property
    def area_is_plausible(self) -> bool:
        """Thailand's largest province is about 20,000 km²; bigger published figures are in another unit."""
        return self.area_km2 is None or self.area_km2 <= MAX_PLAUSIBLE_AREA_KM2

    @property
    def has_location(self) -> bool:
        return self.latitude is not None and self.longitude is not None

    @property
    def website_url(self) -> str | None:
        """A clickable address when the published text looks like one (the source is unvalidated)."""
        text = (self.website or "").strip()
        if not text or text == "-" or " " in text or "," in text or "." not in text:
            return None
        return text if text.startswith(("http://", "https://")) else f"http://{text}"
