"""Framework factories: a small valid framework, built through the same spec the workbook uses."""

import copy

from localstandards.frameworks.samples.build_sample import sample_spec
from localstandards.frameworks.services import create_from_spec, publish_framework
from localstandards.frameworks.workbook import build_workbook


def small_spec(code: str = "T-2567") -> dict:
    """Two areas, three indicators (ratio for everyone, count for อบจ. only, yes/no for local types)."""
    spec = {
        "framework": {
            "code": code,
            "fiscal_year": 2567,
            "name": "กรอบทดสอบ",
            "description": "",
            "is_sample": False,
            "yes_text": "มี",
            "no_text": "ไม่มี",
        },
        "areas": [
            {"code": "1", "name": "ด้านโครงสร้างพื้นฐาน", "weight": "1"},
            {"code": "2", "name": "ด้านคุณภาพชีวิต", "weight": "2"},
        ],
        "missions": [{"area": "1", "code": "1.1", "name": "ถนน"}, {"area": "2", "code": "2.1", "name": "สุขภาพ"}],
        "indicators": [
            {
                "mission": "1.1",
                "code": "1.1.1",
                "wording": "ร้อยละของถนนลาดยางของ{lg}ที่ได้รับการบำรุงรักษา",
                "guidance": "นับสายทาง",
                "kind": "ratio",
                "base_unit": "สายทาง",
                "delivered_unit": "สายทาง",
                "count_unit": "",
                "applies_to": ["PAO", "CITY", "TOWN", "SUBDISTRICT", "SAO", "SPECIAL", "BMA"],
                "applicability": "",
                "target": "80",
                "targets": {"CITY": "90"},
                "evidence_required": True,
                "evidence_types": ["pdf", "jpg"],
                "weight": None,
            },
            {
                "mission": "1.1",
                "code": "1.1.2",
                "wording": "จำนวนโครงการถนนสายจังหวัดของ{lg}",
                "guidance": "",
                "kind": "count",
                "base_unit": "",
                "delivered_unit": "",
                "count_unit": "โครงการ",
                "applies_to": ["PAO"],
                "applicability": "",
                "target": "3",
                "targets": {},
                "evidence_required": False,
                "evidence_types": [],
                "weight": "2",
            },
            {
                "mission": "2.1",
                "code": "2.1.1",
                "wording": "{lg}มีแผนป้องกันโรค",
                "guidance": "แนบแผน",
                "kind": "yesno",
                "base_unit": "",
                "delivered_unit": "",
                "count_unit": "",
                "applies_to": ["TOWN", "SUBDISTRICT", "SAO"],
                "applicability": 'lg_type != "BMA"',
                "target": None,
                "targets": {},
                "evidence_required": True,
                "evidence_types": ["pdf"],
                "weight": None,
            },
        ],
        "validations": [{"indicator": "1.1.1", "severity": "soft", "expression": "base <= 2000", "message": "ตรวจสอบ"}],
        "satisfaction": [{"area": "1", "code": "S1", "wording": "ความพึงพอใจต่อถนนของ{lg}"}],
        "scoring": {
            "satisfaction_share": "0.2",
            "pass_threshold": "60",
            "satisfaction_pass_threshold": None,
            "score_formula": "",
        },
        "labels": copy.deepcopy(sample_spec()["labels"]),
    }
    return spec


def small_workbook(**changes) -> bytes:
    return build_workbook(small_spec(**changes))


def make_framework(*, published: bool = False, code: str = "T-2567", sample: bool = False):
    spec = small_spec(code)
    spec["framework"]["is_sample"] = sample
    framework = create_from_spec(spec)
    return publish_framework(framework) if published else framework
