"""Synthetic but realistic-looking names and places for the demo township.

Nothing here is real personal data: names are random combinations of common
surnames and given-name characters.
"""

from __future__ import annotations

import random

SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
    "姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
# weights: the first surnames are far more common
SURNAME_WEIGHTS = tuple(max(1, 60 - i) for i in range(len(SURNAMES)))

GIVEN_MALE = "伟强磊军勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欢阳建国峰成东文亮志海兵永生福贵德顺和"
GIVEN_FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰萍红梅琳燕莉丹凤洁琴雪慧婷颖倩晶月荣菊花春霞玉珍云翠彩香"
RARE = "堃喆犇昇淼鑫焱垚珏琇燚"

VILLAGES = (
    ("001", "青石社区"), ("201", "东坪村"), ("202", "西沟村"), ("203", "南塬村"), ("204", "北岔村"),
    ("205", "柳湾村"), ("206", "杏树台村"), ("207", "马家庄村"), ("208", "红崖村"), ("209", "石门村"),
    ("210", "白杨林村"), ("211", "下河滩村"),
)
GROUPS = ("一组", "二组", "三组", "四组", "五组", "六组")

REASONS = {
    "dibao": ("家庭成员长期患病，收入低于当地低保标准", "主要劳动力残疾，家庭无稳定收入",
              "老人独居，无固定收入来源"),
    "tekun": ("无劳动能力、无生活来源、无法定赡养人", "重度残疾，法定抚养人无抚养能力"),
    "temp_emergency": ("住房失火，生活用品全部烧毁", "家庭成员突发重病住院，急需救助", "交通事故致主要劳动力受伤"),
    "temp_expense": ("子女上学及医疗支出超出家庭承受能力", "长期慢性病医疗费用支出过大"),
    "medical": ("住院治疗自付费用过高", "大病医疗自付部分负担沉重"),
    "education": ("子女就读高中，家庭困难", "孩子考上大学，学费无力承担"),
    "housing": ("住房为危房，无力修缮", "房屋因暴雨倒塌"),
    "employment": ("家庭成员失业，需就业援助", "零就业家庭申请就业帮扶"),
    "disaster": ("冰雹灾害致农作物绝收", "山洪冲毁房屋及家具"),
    "low_income_edge": ("家庭收入略高于低保标准，刚性支出较大",),
    "rigid_expense": ("医疗、教育刚性支出大，家庭入不敷出",),
    "poverty_monitoring": ("因病存在返贫风险",),
    "disability_subsidy": ("重度残疾，申请残疾人两项补贴",),
    "child_welfare": ("父母双亡，孩子由祖父母抚养",),
    "legal_aid": ("务工工资被拖欠，申请法律援助",),
    "funeral": ("家属去世，无力承担丧葬费用",),
    "heating": ("独居老人冬季取暖困难",),
}

REFUSAL_REASONS = (
    "申请人户籍不在本乡镇，已告知向户籍所在地乡镇申请",
    "申请事项不属于社会救助范围，已告知向相关部门咨询",
    "申请人已享受同类救助，不得重复申请",
)


def fictional_phone(rng: random.Random) -> str:
    """An obviously fictional contact phone: a 139-0000 mobile or a 0931-555 fixed line, or 无 now and then."""
    roll = rng.random()
    if roll < 0.05:
        return "无"
    if roll < 0.2:
        return f"0931-555{rng.randint(0, 9999):04d}"
    return f"1390000{rng.randint(0, 9999):04d}"
