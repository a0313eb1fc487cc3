"""The table of violations the city starts with (违法行为及处罚依据): the 2014 Work Safety Law,
article 94, on the points the notice names. Loaded by a data migration; the city keeps it
(add, retire, amend) on its page (``views.basis_edit``)."""

from __future__ import annotations

from decimal import Decimal

LAW = "中华人民共和国安全生产法（2014年修正）"
ART_94 = "生产经营单位有下列行为之一的，责令限期改正，可以处五万元以下的罚款"
ESCALATION = (
    "逾期未改正的，责令停产停业整顿，并处五万元以上十万元以下的罚款，对其直接负责的主管人员和"
    "其他直接责任人员处一万元以上二万元以下的罚款"
)

SEED = [
    # code, article, forbids, point
    (
        "AQFA2014-94-3",
        "第九十四条第（三）项",
        "未按照规定对从业人员、被派遣劳动者、实习学生进行安全生产教育和培训，或者未按照规定如实"
        "告知有关的安全生产事项",
        "training",
    ),
    ("AQFA2014-94-4", "第九十四条第（四）项", "未如实记录安全生产教育和培训情况", "training"),
    (
        "AQFA2014-94-5",
        "第九十四条第（五）项",
        "未将事故隐患排查治理情况如实记录或者未向从业人员通报",
        "hazards",
    ),
    (
        "AQFA2014-94-6",
        "第九十四条第（六）项",
        "未按照规定制定生产安全事故应急救援预案或者未定期组织演练",
        "emergency_plan",
    ),
    (
        "AQFA2014-94-7",
        "第九十四条第（七）项",
        "特种作业人员未按照规定经专门的安全作业培训并取得相应资格，上岗作业",
        "special_operations",
    ),
]


def rows() -> list[dict]:
    return [
        {
            "code": code,
            "law": LAW,
            "article": article,
            "forbids": forbids,
            "point": point,
            "penalty": f"{ART_94}。",
            "fine_max": Decimal("50000"),
            "escalation": ESCALATION,
            "escalated_fine_max": Decimal("100000"),
            "sort_order": order,
        }
        for order, (code, article, forbids, point) in enumerate(SEED, start=1)
    ]
