"""Names and words: invented path segments, parameter names, column names, titles."""

from __future__ import annotations

import random
import string

# syllables for invented path words and identifiers (pinyin-ish, none of them a vendor's name)
SYLLABLES = ["ba", "ce", "di", "fo", "gu", "hai", "jin", "ku", "lan", "mo", "nu", "pei", "qi", "ru",
             "sa", "tie", "wu", "xi", "yao", "zhu", "kem", "tor", "vex", "quo", "lim", "dax", "rel"]

COLUMN_NAMES = ["通知公告", "政策文件", "规范性文件", "人事信息", "财政预决算", "工作动态", "政策解读",
                "建议提案办理", "规划计划", "统计信息", "重大项目", "公示公告", "行政执法", "财政资金"]
DEPT_COLUMN_NAMES = ["部门文件", "部门动态", "部门通知", "部门预决算"]

# 指引 ColumnType values for the column names above
COLUMN_TYPES = {"通知公告": "信息公开目录", "政策文件": "政策文件", "规范性文件": "政策文件", "人事信息": "信息公开目录",
                "财政预决算": "数据发布", "工作动态": "工作动态", "政策解读": "政策解读", "建议提案办理": "回应关切",
                "规划计划": "信息公开目录", "统计信息": "数据发布", "重大项目": "信息公开目录", "公示公告": "信息公开目录",
                "行政执法": "信息公开目录", "财政资金": "数据发布", "部门文件": "政策文件", "部门动态": "工作动态",
                "部门通知": "信息公开目录", "部门预决算": "数据发布"}

PLACES = [("浙江省", "临澜市", "330100"), ("福建省", "青屿县", "350128"), ("河北省", "柏川区", "130402"),
          ("四川省", "云溪县", "510683"), ("江苏省", "岚桥市", "320581"), ("湖南省", "石渚县", "430524")]
ICP_PREFIX = {"浙江省": "浙", "福建省": "闽", "河北省": "冀", "四川省": "蜀", "江苏省": "苏", "湖南省": "湘"}
DEPARTMENTS = ["财政局", "教育局", "自然资源局", "交通运输局", "卫生健康局", "农业农村局", "市场监督管理局"]
CATEGORIES = ["综合政务", "财政、金融、审计", "城乡建设、环境保护", "农业、林业、水利", "教育", "卫生、体育",
              "交通", "劳动、人事、监察", "国土资源、能源", "科技、教育"]

TITLE_ACTIONS = ["关于印发", "关于做好", "关于开展", "关于公布", "关于进一步加强", "关于调整", "关于组织实施"]
TITLE_TOPICS = ["乡村振兴重点任务", "安全生产专项整治", "城乡居民医疗保障", "义务教育招生入学", "耕地保护目标责任",
                "老旧小区改造项目", "政务服务事项清单", "防汛防台准备", "营商环境优化提升", "公共文化服务体系",
                "道路交通秩序整治", "生态环境保护督察整改", "农村饮用水安全", "年度财政预算执行", "人才引进计划",
                "消防安全隐患排查", "政府信息公开工作要点", "地质灾害防治", "企业稳岗就业", "数字政府建设"]
TITLE_TAILS = ["的通知", "工作的通知", "实施方案的通知", "工作方案", "情况的公示", "有关事项的公告", "的意见"]

BODY_SENTENCES = ["各乡镇人民政府、街道办事处，各有关单位：", "现将有关事项通知如下，请结合实际认真贯彻执行。",
                  "各单位要高度重视，明确责任分工，确保各项工作落到实处。", "请于规定时间内将工作进展情况报送牵头部门。",
                  "本文件自发布之日起施行。", "特此通知。", "各地各部门要加强统筹协调，形成工作合力。",
                  "对工作中发现的问题要及时研究解决，重大情况及时报告。"]


def word(rng: random.Random, parts: int = 2) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(parts))


def made_up_param(rng: random.Random) -> str:
    """A parameter name no convention predicts: 'qx7', 'pg_no', 'kemz' …"""
    kind = rng.randrange(3)
    if kind == 0:
        return rng.choice(string.ascii_lowercase) + rng.choice(string.ascii_lowercase) + str(rng.randrange(2, 10))
    if kind == 1:
        return rng.choice(["pg", "ye", "hy", "lx", "zt"]) + "_" + rng.choice(["no", "idx", "num", "at"])
    return word(rng, 1) + rng.choice(string.ascii_lowercase)


def ident(rng: random.Random, prefix: str = "") -> str:
    return prefix + word(rng, 1) + "".join(rng.choice(string.ascii_lowercase + string.digits) for _ in range(3))
