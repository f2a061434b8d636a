"""Province (DOPA code) → region, by the six-region geographic division of the Royal Institute."""

from localstandards.registry.models import Region

_REGION_PROVINCES = {
    Region.NORTH: "50 51 52 53 54 55 56 57 58",
    Region.NORTHEAST: "30 31 32 33 34 35 36 37 38 39 40 41 42 43 44 45 46 47 48 49",
    Region.CENTRAL: "10 11 12 13 14 15 16 17 18 19 26 60 61 62 64 65 66 67 72 73 74 75",
    Region.EAST: "20 21 22 23 24 25 27",
    Region.WEST: "63 70 71 76 77",
    Region.SOUTH: "80 81 82 83 84 85 86 90 91 92 93 94 95 96",
}

REGION_BY_PROVINCE: dict[str, Region] = {
    code: region for region, codes in _REGION_PROVINCES.items() for code in codes.split()
}
