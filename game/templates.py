"""The starter level that `collectquest new-level` writes: every stage kind and feature, with short
Chinese comments, and valid as written (it only refers to rule cards every handbook has)."""

from __future__ import annotations

import json
import re
from string import Template

from .models import TIERS

LEVEL_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")

# Each tier's shared question bank and a tag it guarantees (see content/questions/).
TIER_DRAWS: dict[str, tuple[str, str]] = {
    "新手": ("novice-core", "身份核实"),
    "中级": ("intermediate-core", "投诉"),
    "主管": ("supervisor-core", "质检"),
}

# The rule cards the starter refers to; `new-level` checks they exist in the handbook.
STARTER_RULES = ("ind-identify-yourself", "pipl-no-illegal-disclosure", "ind-contact-hours")

_STARTER = Template("""\
# 新关卡模板(由 collectquest new-level 生成)。每个字段的说明见 levels/README.md。
# 改完后运行:collectquest validate   然后:collectquest playtest $id
# 井号 # 后面是注释,游戏不会读取,可以删掉。
# 编辑器补全:运行 collectquest schema -o level.schema.json,再按 levels/README.md 的说明
# 在本文件第一行加上 yaml-language-server 的 $$schema 注释。

id: $id                     # 关卡 id:小写字母、数字和短横线,全局唯一,与文件名一致
title: $title_yaml
tier: $tier                    # 层级:新手 / 中级 / 主管
order: $order                     # 在本层级中的顺序(小的在前)
exam: false                  # true = 本层级的晋升考核(每个层级最多一个)
requires: []                 # 先通过哪些关卡才能解锁,例如 [n01-first-call]
pass_score: 60               # 及格分 0–100
stars: [60, 75, 90]          # 一星、二星、三星所需分数;第一个必须等于 pass_score(可省略)
skills: [法律合规, 沟通技巧]   # 可选:法律合规 沟通技巧 谈判 情绪管理 客户服务 风险评估 团队管理 质检
summary: 你第一次致电逾期客户李明。先表明身份、核实本人,再了解困难、约定还款。
objectives:                  # 关卡目标,开局时显示给学员
  - 先表明机构身份并核实对方是否本人
  - 不向任何第三人透露债务
  - 了解困难,争取具体的还款承诺

case:                        # 案件卡
  debtor: 李明               # 债务人姓名(对话节点不写 speaker 时就是他在说话)
  persona: 拖延型            # 人设:拖延型 抵触型 协商型 困难型 否认型 情绪型 失联型 投诉型 专业型 脆弱型 第三方 催收员 委外机构
  product: 信用卡
  amount: 3000               # 逾期金额(元)
  days_overdue: 20           # 逾期天数
  bucket: M1                 # 可省略:按天数自动计算(M1 = 1–30 天,M2 = 31–60 天…)
  gender: 男
  age: 32
  history:                   # 催收记录
    - 逾期第 3 天短信提醒,未回复
  notes: 登记手机为本人号码。

stages:                      # 阶段按顺序进行:dialogue 对话 / quiz 答题 / audit 质检
  # ---------------------------------------------------------------- 阶段一:对话
  - kind: dialogue
    title: 第一通电话
    intro: 下午三点,你拨通了李明登记的手机。
    weight: 2                # 本阶段在关卡总分中的权重(默认 1)
    meters: {信任: 30}       # 指标初始值(0–100)。默认 信任 30、情绪 30、合规 100
    score_weights: {结果: 50, 合规: 25, 沟通: 25}   # 阶段得分 = 结局分、合规指标、选项质量的加权平均
    start: open              # 从哪个节点开始
    nodes:
      open:                  # 节点 id(自己起名,英文或拼音)
        speaker: 李明         # 说话人;省略时为案件卡里的债务人
        narration: 电话响了三声才被接起。   # 旁白(可选)
        say: 喂?哪位?
        choices:
          - text: 您好，我是XX银行信用卡中心的，请问是李明先生本人吗？
            quality: good    # good 好 / ok 一般 / bad 差:决定"沟通"得分
            effects: {信任: +10}         # 指标变化
            set: [verified]  # 设置标记,之后可以用 if: verified 判断
            feedback: 先表明机构身份、核实是否本人,再谈业务。   # 选后立即显示,讲清一个道理
            ref: ind-identify-yourself   # 依据的规则卡(或术语)id
            next: ask        # 下一个节点或结局
          - text: 李明先生是吧？您那张信用卡已经逾期二十天了，您自己知道吧？
            quality: bad
            effects: {合规: -20, 情绪: +10}
            feedback: 没有表明身份、也没核实是否本人就谈债务,对方可能根本不是李明。
            ref: ind-identify-yourself
            next: ask
          - text: 喂？是李明家吗？麻烦转告他，信用卡三千块该还了。
            violation: pipl-no-illegal-disclosure   # 红线:合规清零,本关直接失败
            feedback: 未核实身份就说出欠款,可能把债务告诉了第三人,这是红线。
            next: leak
      ask:
        say: 你谁啊?什么事?
        variants:            # 条件台词:第一个条件成立的会替代 say
          - if: verified
            say: 哦,是我。这个月确实手头紧,过几天吧。
        choices:
          - text: 理解。您看哪天能先还一部分？我帮您记下来。
            quality: good
            effects: {信任: +10, 情绪: -10}
            feedback: 先共情再提具体方案,客户更愿意给出明确日期。
            next:            # 路由:按顺序找第一个成立的条件
              - if: 信任 >= 45 and verified
                to: promise
              - to: callback # 最后一项不写 if,作为兜底
          - text: 那您下周五之前能把三千块都还上吗？
            quality: ok
            feedback: 直接要日期可以,但没了解困难,客户容易敷衍。
            next:
              - if: verified
                to: callback
              - to: hangup
          - text: 今天必须全部还清，不然后果您自己负责！
            quality: bad
            effects: {信任: -10, 情绪: +30}
            set: [pressed]
            feedback: 模糊的威胁只会激化情绪,也可能构成不当施压。
            next: angry
      angry:
        say: 你这是威胁我吗?我要投诉你!
        choices:
          - text: 抱歉，是我说急了。我们一起看看怎么安排。
            quality: good
            effects: {情绪: -10, 信任: +5}
            # clear: [pressed]   # 清除标记的写法(本例不需要)
            feedback: 及时道歉、回到解决问题上,是情绪安抚的第一步。
            next:
              - if: 情绪 >= 60
                to: hangup
              - to: callback
          - text: 您刚才已经确认是本人了，那这笔欠款您总得认吧？
            if: verified and 情绪 < 80    # 条件选项:条件成立才显示
            quality: bad
            effects: {情绪: +10}
            feedback: 对方情绪激动时急于让他认账,只会让通话更快结束。
            next: hangup
          - text: 投诉？您投诉也没有用，欠了钱总归是要还的。
            quality: bad
            effects: {情绪: +20}
            feedback: 轻视投诉会激化矛盾;客户有权投诉,应告知正规投诉渠道。
            next: hangup
    endings:
      promise:
        title: 承诺还款
        outcome: 承诺还款     # 结果类型,见 levels/README.md
        text: 李明答应本月 25 日先还 1000 元。
        score: 100           # 结局分 0–100
        feedback: 身份清楚、态度尊重,客户愿意给出具体日期和金额。
      callback:
        title: 约定回电
        outcome: 约定回电
        text: 李明说月底发工资后再联系你。
        score: 70
      hangup:
        title: 对方挂断
        outcome: 挂断
        text: 对方挂断了电话。
        score: 30
      leak:
        title: 泄露债务
        outcome: 泄露信息
        text: 接电话的其实是李明的同事。
        score: 0
        ref: pipl-no-illegal-disclosure

  # ---------------------------------------------------------------- 阶段二:限时答题
  - kind: quiz
    title: 快问快答
    time_limit: 20           # 每题秒数
    points: 1000             # 每题基础分
    speed_bonus: true        # 答得越快分越高(false 关闭)
    streak_bonus: true       # 连续答对加分(false 关闭)
    shuffle: false           # true = 打乱题目顺序
    questions:
      - type: single         # 单选:answer 写一个字母
        prompt: 首次联系客户时,第一句话应当?
        options: [直接说明欠款金额, 表明机构身份并核实是否本人, 询问客户的工作单位]
        answer: B
        explanation: 先表明机构身份、核实本人,避免向第三人透露债务。
        ref: ind-identify-yourself
        tags: [身份核实]
      - type: multiple       # 多选:answer 写字母列表
        prompt: 以下哪些做法是合规的?
        options: [表明机构身份, 告诉接电话的家人欠款金额, 未经同意不在 22:00 后催收]
        answer: [A, C]
        explanation: 表明身份、遵守联系时间是基本要求;向家人透露欠款是红线。
        ref: ind-contact-hours
      - type: truefalse      # 判断:answer 写 true/false(或 对/错)
        prompt: 接电话的人说自己是客户家属时,可以把欠款金额告诉他。
        answer: false
        explanation: 家属是第三人,不得向其透露债务信息。
        ref: pipl-no-illegal-disclosure
$draw_block
  # ---------------------------------------------------------------- 阶段三:录音质检
  - kind: audit
    title: 质检一段录音
    transcript:              # 学员标出违规的行,并选出违反的规则
      - speaker: 催收员
        text: 您好,我是XX银行信用卡中心的,请问是李明先生吗?
      - speaker: 接听人
        text: 他不在,我是他同事。
      - speaker: 催收员
        text: 那你转告他,信用卡欠的三千块再不还就麻烦了。
        violation: pipl-no-illegal-disclosure   # 答案:这一行违反的规则
        explanation: 向同事透露了欠款,属于向第三人泄露个人信息。
      - speaker: 催收员
        text: 好的,麻烦您请他回电,谢谢。
    rule_choices: [ind-identify-yourself, ind-contact-hours]   # 作为干扰项提供的规则
""")

_DRAW_ACTIVE = """\
    draw:                    # 另外从题库随机抽题:bank 题库 id,tags 标签,count 数量
      - bank: $bank
        tags: [$tag]
        count: 2
"""

_DRAW_COMMENTED = """\
    # draw:                  # 从题库随机抽题(题库 $bank 存在时去掉 # 号即可)
    #   - bank: $bank
    #     tags: [$tag]
    #     count: 2
"""


def starter_level(
    level_id: str, tier: str, title: str | None = None, order: int = 1, banks: set[str] | frozenset[str] = frozenset()
) -> str:
    """The text of a starter level. `banks` are the question banks that exist: the tier's bank is
    drawn from when present, otherwise the draw is left as a comment."""
    if not LEVEL_ID.match(level_id):
        raise ValueError(f"level id '{level_id}' must be lower-case letters, digits and dashes, e.g. n07-callback")
    if tier not in TIERS:
        raise ValueError(f"tier must be one of {' '.join(TIERS)}")
    bank, tag = TIER_DRAWS[tier]
    draw = Template(_DRAW_ACTIVE if bank in banks else _DRAW_COMMENTED).substitute(bank=bank, tag=tag)
    return _STARTER.substitute(
        id=level_id,
        tier=tier,
        order=order,
        draw_block=draw,
        title_yaml=json.dumps(title or "新关卡:第一通电话", ensure_ascii=False),
    )
