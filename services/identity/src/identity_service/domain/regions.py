"""Reference regions: Jiangsu's 13 cities and their regional exam offices (工考办).

Nantong has eight offices. Every other city has one city-level office here.
Addresses, phones and contact people are invented for demos and tests: a
local number that starts with 0 after the area code cannot exist, so the
phones reach nobody. Operators replace the cards with the real ones.
"""

from dataclasses import dataclass, field

PROVINCE_NAME = "江苏省"


@dataclass(frozen=True)
class OfficeCard:
    """A regional exam office and the contact card shown to people not on its roster."""

    office_id: str
    city_code: str
    city_name: str
    name: str
    address: str
    phone: str
    contact_person: str
    # First six digits of ID numbers issued in the office's area. They point a
    # person who is not on any roster to the likely office.
    id_prefixes: tuple[str, ...] = field(default=())


NANTONG_OFFICES = (
    OfficeCard("nantong-shiben", "3206", "南通市", "南通市本级（含崇川、开发区、苏锡通）",
               "南通市崇川区示例路1号行政中心2号楼301室", "0513-00000101", "李老师",
               ("320601", "320602", "320611", "320671")),
    OfficeCard("nantong-tongzhou", "3206", "南通市", "通州区",
               "南通市通州区示例大道18号人社服务中心205室", "0513-00000102", "周老师",
               ("320612", "320683")),
    OfficeCard("nantong-haimen", "3206", "南通市", "海门区",
               "南通市海门区示例路66号政务服务中心3楼", "0513-00000103", "吴老师",
               ("320614", "320684")),
    OfficeCard("nantong-qidong", "3206", "南通市", "启东市",
               "启东市示例中路9号人社局412室", "0513-00000104", "郑老师", ("320681",)),
    OfficeCard("nantong-rugao", "3206", "南通市", "如皋市",
               "如皋市示例东路120号人社大楼6楼", "0513-00000105", "孙老师", ("320682",)),
    OfficeCard("nantong-haian", "3206", "南通市", "海安市",
               "海安市示例路35号政务中心B区218室", "0513-00000106", "钱老师",
               ("320685", "320621")),
    OfficeCard("nantong-rudong", "3206", "南通市", "如东县",
               "如东县示例大街7号人社局305室", "0513-00000107", "冯老师", ("320623",)),
    OfficeCard("nantong-tzw", "3206", "南通市", "通州湾",
               "通州湾示范区示例路6号商务楼210室", "0513-00000108", "陈老师", ()),
)

_OTHER_CITIES = (
    ("3201", "南京市", "nanjing", "025"),
    ("3202", "无锡市", "wuxi", "0510"),
    ("3203", "徐州市", "xuzhou", "0516"),
    ("3204", "常州市", "changzhou", "0519"),
    ("3205", "苏州市", "suzhou", "0512"),
    ("3207", "连云港市", "lianyungang", "0518"),
    ("3208", "淮安市", "huaian", "0517"),
    ("3209", "盐城市", "yancheng", "0515"),
    ("3210", "扬州市", "yangzhou", "0514"),
    ("3211", "镇江市", "zhenjiang", "0511"),
    ("3212", "泰州市", "taizhou", "0523"),
    ("3213", "宿迁市", "suqian", "0527"),
)


def _city_office(city_code: str, city_name: str, slug: str, area_code: str) -> OfficeCard:
    return OfficeCard(
        office_id=slug,
        city_code=city_code,
        city_name=city_name,
        name=f"{city_name}本级",
        address=f"{city_name}示例路1号人力资源和社会保障局工考办",
        phone=f"{area_code}-00000100",
        contact_person="王老师",
        id_prefixes=(),
    )


REFERENCE_OFFICES: tuple[OfficeCard, ...] = tuple(
    sorted(
        NANTONG_OFFICES + tuple(_city_office(*city) for city in _OTHER_CITIES),
        key=lambda office: (office.city_code, office.office_id),
    )
)


def offices_for_id_prefix(offices: list[OfficeCard], id_number: str) -> list[OfficeCard]:
    """Return the offices for an ID number's area: exact county match first, else its city.

    An empty list means the number is from no known area; callers then list
    every office.
    """
    digits = id_number.strip()[:6]
    exact = [office for office in offices if digits and digits in office.id_prefixes]
    if exact:
        return exact
    if len(digits) < 4:
        return []
    return [office for office in offices if office.city_code == digits[:4]]
