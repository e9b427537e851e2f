"""Invented demo people, employing units and a generated roster for the Nantong offices.

Every name, ID number, phone and unit here is made up; ID numbers carry valid
check characters and credit codes valid GB 32100 check characters.
"""

import csv
import io
import random
from dataclasses import dataclass
from datetime import date, timedelta

from education_contracts import Grade

from identity_service.domain.regions import NANTONG_OFFICES
from identity_service.domain.validation import credit_code_check_character, id_check_character

DEMO_LEARNER_PASSWORD = "Learner#2026"
DEMO_OFFICE_PASSWORD = "Office#2026"
DEMO_OPERATOR_PASSWORD = "Province#2026"
DEMO_OPERATOR_USERNAME = "operator"

# Regional admin user names of the eight Nantong offices.
OFFICE_ADMINS = {
    "nantong-shiben": "nt-shiben", "nantong-tongzhou": "nt-tongzhou",
    "nantong-haimen": "nt-haimen", "nantong-qidong": "nt-qidong", "nantong-rugao": "nt-rugao",
    "nantong-haian": "nt-haian", "nantong-rudong": "nt-rudong", "nantong-tzw": "nt-tzw",
}

# ID number prefix used for people generated for each office; 通州湾 has no code of its own.
OFFICE_PREFIX = {office.office_id: (office.id_prefixes or ("320612",))[0] for office in NANTONG_OFFICES}

_UNIT_KINDS = ("机关事务服务中心", "人民医院", "第一中学", "市政设施管理处", "档案馆", "疾病预防控制中心")


def make_id_number(prefix: str, birth: date, sequence: int) -> str:
    first17 = f"{prefix}{birth:%Y%m%d}{sequence:03d}"
    return first17 + id_check_character(first17)


def make_credit_code(region: str, serial: int) -> str:
    first17 = f"12{region}MB{serial:07d}"
    return first17 + credit_code_check_character(first17)


@dataclass(frozen=True)
class DemoUnit:
    name: str
    credit_code: str


def units_for(office_id: str) -> list[DemoUnit]:
    office = next(o for o in NANTONG_OFFICES if o.office_id == office_id)
    index = [o.office_id for o in NANTONG_OFFICES].index(office_id)
    place = office.name.split("（")[0].replace("南通市本级", "南通市")
    return [DemoUnit(f"{place}{kind}（演示）", make_credit_code(OFFICE_PREFIX[office_id], index * 10 + k))
            for k, kind in enumerate(_UNIT_KINDS)]


@dataclass(frozen=True)
class DemoPerson:
    name: str
    office_id: str
    id_number: str
    grade: Grade
    unit: DemoUnit
    mobile: str
    activated: bool = False


def _person(name: str, office_id: str, birth: date, sequence: int, grade: Grade, unit: int,
            mobile_tail: int, activated: bool = False) -> DemoPerson:
    return DemoPerson(name, office_id, make_id_number(OFFICE_PREFIX[office_id], birth, sequence),
                      grade, units_for(office_id)[unit], f"199000{mobile_tail:05d}", activated)


def named_people() -> list[DemoPerson]:
    """About twenty named demo people; the first three have activated accounts."""
    g = Grade
    return [
        _person("陈建国", "nantong-shiben", date(1985, 3, 15), 1, g.TECHNICIAN, 0, 1, True),
        _person("刘晓梅", "nantong-rugao", date(1990, 8, 21), 2, g.SENIOR_TECHNICIAN, 1, 2, True),
        _person("王海峰", "nantong-tongzhou", date(1978, 11, 3), 3, g.INTERMEDIATE, 2, 3, True),
        _person("赵丽华", "nantong-shiben", date(1982, 6, 9), 4, g.ORDINARY, 1, 4),
        _person("孙志强", "nantong-shiben", date(1975, 1, 28), 5, g.SENIOR, 3, 5),
        _person("周静", "nantong-tongzhou", date(1988, 12, 12), 6, g.JUNIOR, 0, 6),
        _person("吴俊杰", "nantong-haimen", date(1993, 4, 30), 7, g.INTERMEDIATE, 0, 7),
        _person("郑雪芳", "nantong-haimen", date(1979, 9, 17), 8, g.TECHNICIAN, 1, 8),
        _person("钱伟", "nantong-qidong", date(1986, 2, 5), 9, g.SENIOR, 2, 9),
        _person("冯玉兰", "nantong-qidong", date(1972, 7, 22), 10, g.ORDINARY, 3, 10),
        _person("蒋文斌", "nantong-rugao", date(1984, 10, 1), 11, g.JUNIOR, 4, 11),
        _person("沈秀英", "nantong-haian", date(1981, 5, 14), 12, g.SENIOR_TECHNICIAN, 0, 12),
        _person("韩国庆", "nantong-haian", date(1970, 10, 1), 13, g.SENIOR, 5, 13),
        _person("杨春燕", "nantong-rudong", date(1991, 3, 8), 14, g.INTERMEDIATE, 1, 14),
        _person("朱明", "nantong-rudong", date(1987, 8, 8), 15, g.TECHNICIAN, 2, 15),
        _person("秦红梅", "nantong-tzw", date(1983, 1, 19), 16, g.JUNIOR, 0, 16),
        _person("许永刚", "nantong-tzw", date(1976, 6, 26), 17, g.ORDINARY, 2, 17),
        _person("何丽娟", "nantong-shiben", date(1994, 11, 11), 18, g.INTERMEDIATE, 5, 18),
        _person("吕建华", "nantong-tongzhou", date(1969, 12, 2), 19, g.SENIOR_TECHNICIAN, 3, 19),
        _person("施晓东", "nantong-haimen", date(1989, 7, 7), 21, g.SENIOR, 4, 0),
    ]


_SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方邹熊白孟秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
_GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华玉萍红建文辉力永健世广志义兴良海山仁波宁贵福生龙元全国胜学祥才发成康星光天达安岩中茂进林有坚和彪博诚先敬震振壮会思群豪心邦承乐绍功松善厚庆磊民友裕河哲江超浩亮政谦亨奇固之轮翰朗伯宏言若鸣朋斌梁栋维启克伦翔旭鹏泽晨辰士以建家致树炎德行时泰盛雄琛钧冠策腾楠榕风航弘"
_GRADES = list(Grade)
_GRADE_WEIGHTS = (30, 20, 20, 15, 10, 5)


def generated_roster(count: int = 2000, seed: int = 2026) -> dict[str, list[list[str]]]:
    """Return CSV rows (without header) per Nantong office for ``count`` invented people."""
    rng = random.Random(seed)
    offices = [office.office_id for office in NANTONG_OFFICES]
    used_numbers = {person.id_number for person in named_people()}
    rows: dict[str, list[list[str]]] = {office_id: [] for office_id in offices}
    for index in range(count):
        office_id = offices[index % len(offices)]
        while True:
            birth = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
            id_number = make_id_number(OFFICE_PREFIX[office_id], birth, rng.randrange(100, 1000))
            if id_number not in used_numbers:
                used_numbers.add(id_number)
                break
        # Every grade appears in every office: the first six people cycle through them.
        grade = _GRADES[index // len(offices)] if index < 6 * len(offices) else (
            rng.choices(_GRADES, weights=_GRADE_WEIGHTS)[0])
        unit = rng.choice(units_for(office_id))
        name = rng.choice(_SURNAMES) + "".join(rng.choice(_GIVEN) for _ in range(rng.choice((1, 2))))
        mobile = f"1990{rng.randrange(0, 10_000_000):07d}"
        rows[office_id].append([name, id_number, unit.name, unit.credit_code, grade.label, mobile])
    return rows


ROSTER_HEADER = ["姓名", "身份证号", "工作单位", "统一社会信用代码", "技术等级", "手机号"]


def roster_csv(rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(ROSTER_HEADER)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")
