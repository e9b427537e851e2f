"""Generated demo question banks, so every demo course has a test to take.

The questions are invented filler in the course's category: good enough to walk
the flow (draw, answer, review, retry), not teaching material.
"""

import random
from uuid import UUID

from assessment_service.domain import Question

# Statements that are true, per category; false variants negate them.
_FACTS = {
    "political": [
        ("工勤人员应当自觉遵守职业道德规范", "工勤人员可以不遵守职业道德规范"),
        ("继续教育是提升岗位能力的重要途径", "继续教育与岗位能力提升无关"),
        ("廉洁自律是公职人员的基本要求", "廉洁自律只是领导干部的要求"),
        ("依法办事是机关事业单位工作的基本原则", "机关事业单位工作可以不依法办事"),
        ("为人民服务是机关事业单位的根本宗旨", "追求个人利益是机关事业单位的根本宗旨"),
    ],
    "general": [
        ("发现火情应先报警并按预案组织疏散", "发现火情应先收拾个人物品"),
        ("办公电脑应定期更新系统补丁", "办公电脑不需要更新系统补丁"),
        ("个人信息应按规定妥善保管，不得随意泄露", "个人信息可以随意转发给他人"),
        ("遇到不明链接应先核实来源再打开", "收到任何链接都应立即打开"),
        ("公文处理应遵守保密规定", "公文可以随意带出单位传阅"),
    ],
    "job_skills": [
        ("操作设备前应检查设备状态是否正常", "操作设备前无需检查设备状态"),
        ("使用电动工具时应佩戴必要的防护用品", "使用电动工具时不必佩戴防护用品"),
        ("设备故障时应先断电再检修", "设备故障时应带电直接检修"),
        ("作业完成后应清理现场并做好记录", "作业完成后现场可以不作清理"),
        ("岗位操作应遵守安全操作规程", "熟练工人可以不按安全操作规程操作"),
    ],
}


def demo_questions(course_id: UUID, title: str, category: str, size: int) -> list[Question]:
    """Build ``size`` questions for one course; the same course always gets the same bank."""
    facts = _FACTS.get(category, _FACTS["general"])
    rng = random.Random(str(course_id))
    questions = []
    for number in range(1, size + 1):
        true_text, false_text = facts[(number - 1) % len(facts)]
        others = [pair for pair in facts if pair[0] != true_text]
        rng.shuffle(others)
        kind = ("single_choice", "multiple_choice", "true_false")[number % 3]
        prefix = f"《{title}》第{number}题："
        if kind == "true_false":
            is_true = rng.random() < 0.5
            questions.append(Question.new(
                question_id=f"demo-{number:03d}", kind=kind,
                stem=prefix + (true_text if is_true else false_text) + "。",
                options=None, correct=[0 if is_true else 1],
                explanation=f"正确的说法是：{true_text}。",
            ))
        elif kind == "single_choice":
            options = [true_text] + [pair[1] for pair in others[:3]]
            questions.append(Question.new(
                question_id=f"demo-{number:03d}", kind=kind,
                stem=prefix + "下列说法中正确的是（ ）。",
                options=options, correct=[0],
                explanation=f"只有“{true_text}”正确，其余说法均与规定相反。",
            ))
        else:
            options = [true_text, others[0][0], others[1][1], others[2][1]]
            questions.append(Question.new(
                question_id=f"demo-{number:03d}", kind=kind,
                stem=prefix + "下列说法中正确的有（ ）。（多选）",
                options=options, correct=[0, 1],
                explanation=f"“{true_text}”和“{others[0][0]}”正确，其余两项说法错误。",
            ))
    return questions
