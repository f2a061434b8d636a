from django.contrib import admin

from localstandards.registry.models import District, LocalGovernment, Province


@admin.register(Province)
class ProvinceAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "region"]
    list_filter = ["region"]
    search_fields = ["code", "name_th", "name_en"]


@admin.register(District)
class DistrictAdmin(admin.ModelAdmin):
    list_display = ["code", "name_th", "name_en", "province"]
    list_filter = ["province__region"]
    search_fields = ["code", "name_th", "name_en"]
    list_select_related = ["province"]


@admin.register(LocalGovernment)
class LocalGovernmentAdmin(admin.ModelAdmin):
    list_display = ["dla_code", "full_name_th", "type", "province", "district", "is_active"]
    list_filter = ["type", "is_active", "province__region"]
    search_fields = ["dla_code", "name_th", "full_name_th"]
    list_select_related = ["province", "district"]
    autocomplete_fields = ["province", "district"]
