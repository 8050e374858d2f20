"""The level and handbook format, as pydantic models.

These models are the contract between trainers' YAML files and the engine. Every model forbids
unknown keys, so a typo in a level file is reported (with a "did you mean") instead of silently
ignored. Field names are English; values (text, meter names, tiers) are Chinese, as trainers write
them. `collectquest schema` prints the JSON Schema generated from these models.
"""

from __future__ import annotations

import datetime as dt
from enum import Enum
from functools import cached_property
from typing import Annotated, Literal, Union

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from .vocabulary import TIER_SLUGS as TIER_SLUGS
from .vocabulary import TIERS as TIERS

# --------------------------------------------------------------------------------------------
# Shared vocabulary
# --------------------------------------------------------------------------------------------

# TIERS and TIER_SLUGS live in game.vocabulary (imported above), free of pydantic.

Tier = Literal["新手", "中级", "主管"]

SKILLS: tuple[str, ...] = ("法律合规", "沟通技巧", "谈判", "情绪管理", "客户服务", "风险评估", "团队管理", "质检")

PERSONAS: tuple[str, ...] = (
    "拖延型",
    "抵触型",
    "协商型",
    "困难型",
    "否认型",
    "情绪型",
    "失联型",
    "投诉型",
    "专业型",
    "脆弱型",
    "第三方",
    "催收员",
    "委外机构",
)

OUTCOMES: tuple[str, ...] = (
    "承诺还款",
    "部分还款",
    "约定回电",
    "分期协商",
    "信息核实",
    "转法务",
    "转主管",
    "危机干预",
    "拒绝还款",
    "客户投诉",
    "挂断",
    "泄露信息",
    "违规",
    "其他",
)

# Default meters of a dialogue stage: name -> starting value. All meters run 0..100.
# 信任 trust the debtor has in the collector; 情绪 the debtor's agitation (lower is calmer);
# 合规 the collector's compliance, which starts full and only goes down.
DEFAULT_METERS: dict[str, int] = {"信任": 30, "情绪": 30, "合规": 100}
COMPLIANCE_METER = "合规"

# The collector's own 情绪能量值 (stamina), a meter only in stages that use it (see game.energy):
# abusive or threatening lines drain it, pauses and good endings restore some, and when it runs low
# the calm replies cost more and snappish ones appear.
ENERGY_METER = "能量"

# Score dimensions shown on the results screen and in reports.
DIMENSIONS: tuple[str, ...] = ("合规", "沟通", "结果", "知识", "效率")
STAGE_KIND_NAMES = {"dialogue": "对话", "quiz": "快问快答", "audit": "质检"}
"""How each kind of stage is named to trainees."""


MIN_SCORE_HELP = "The stage must score at least this (0–100) for the level to pass, whatever the total."


class Quality(str, Enum):
    """How good a dialogue choice is, for the 沟通 dimension and for playtest analysis."""

    good = "good"
    ok = "ok"
    bad = "bad"


QUALITY_POINTS: dict[Quality, int] = {Quality.good: 100, Quality.ok: 60, Quality.bad: 0}


def bucket_for_days(days_overdue: int) -> str:
    """Ageing bucket by days past due: M0 current, M1 = 1–30, M2 = 31–60, … M6 = 151–180, M7+ beyond.

    This is the common convention in Chinese consumer-credit collection (curriculum-digest §3(d)).
    """
    if days_overdue <= 0:
        return "M0"
    month = (days_overdue - 1) // 30 + 1
    return f"M{month}" if month <= 6 else "M7+"


class Strict(BaseModel):
    """Base for every file model: unknown keys are errors, values are not silently coerced
    from one kind to another except where YAML itself is ambiguous (numbers)."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


RuleRef = Annotated[str, Field(min_length=1, description="id of a rule card in content/rules")]
Text = Annotated[str, Field(min_length=1)]


# --------------------------------------------------------------------------------------------
# Conditions
# --------------------------------------------------------------------------------------------

Condition = Annotated[
    str,
    Field(
        min_length=1,
        description=(
            "A test on meters and flags, e.g. '信任 >= 40', 'verified', 'not angry', "
            "'信任 >= 40 and 情绪 < 60'. Clauses are joined by 'and'. "
            "Operators: >=, <=, >, <, ==, !=."
        ),
    ),
]


class Route(Strict):
    """One conditional jump: go `to` a node or ending when `if` holds (no `if`: always)."""

    when: Condition | None = Field(default=None, alias="if")
    to: Text


Next = Union[str, list[Route]]


# --------------------------------------------------------------------------------------------
# Dialogue
# --------------------------------------------------------------------------------------------


class Choice(Strict):
    text: Text = Field(description="What the trainee says.")
    when: Condition | None = Field(default=None, alias="if", description="Show only when this holds.")
    effects: dict[str, int] = Field(
        default_factory=dict, description="Meter changes, e.g. {信任: +10, 情绪: -5, 合规: -30}."
    )
    set: list[str] = Field(default_factory=list, description="Flags to set, e.g. [verified].")
    clear: list[str] = Field(default_factory=list, description="Flags to clear.")
    quality: Quality = Field(default=Quality.ok, description="good / ok / bad: how skilled this move is.")
    feedback: Text = Field(description="One or two sentences that teach why this move is good or bad.")
    ref: RuleRef | None = Field(default=None, description="Rule card the feedback rests on.")
    violation: RuleRef | None = Field(
        default=None,
        description="Red line: the rule card this choice breaks. Zeroes 合规 and fails the level.",
    )
    next: Next = Field(description="Node or ending id, or a list of conditional routes.")
    pin: Literal["first", "last"] | None = Field(
        default=None, description="Keep this choice first or last; the others are shown in a shuffled order."
    )
    calm: bool = Field(
        default=False,
        description="A calm, patient reply: it costs the collector 能量 (more when energy is low), "
        "and is not offered when too little is left.",
    )
    snappish: bool = Field(
        default=False, description="A snappish reply: offered only when the collector's 能量 is low; costs none."
    )

    @model_validator(mode="after")
    def _calm_or_snappish(self) -> Choice:
        if self.calm and self.snappish:
            raise ValueError("a choice is either calm or snappish, not both")
        return self


class TextVariant(Strict):
    when: Condition = Field(alias="if")
    say: Text


class Node(Strict):
    speaker: str | None = Field(default=None, description="Who speaks; defaults to the debtor's name.")
    say: Text = Field(description="What the other party says.")
    variants: list[TextVariant] = Field(
        default_factory=list, description="Alternative lines; the first whose condition holds is said."
    )
    narration: str | None = Field(default=None, description="Stage direction shown in italics.")
    choices: list[Choice] = Field(min_length=1)
    energy: int = Field(
        default=0,
        ge=0,
        le=100,
        description="How much this line drains the collector's 能量 when it is said (abuse, threats, hostility).",
    )
    pause: int = Field(
        default=0, ge=0, le=100, description="A breathing beat: this much 能量 comes back when the node is reached."
    )


class Ending(Strict):
    title: Text
    outcome: str = Field(description="One of: " + "、".join(OUTCOMES))
    text: Text = Field(description="What happened, told to the trainee.")
    score: int = Field(ge=0, le=100, description="Outcome score 0–100 (the 结果 dimension).")
    feedback: str | None = None
    ref: RuleRef | None = None

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, value: str) -> str:
        if value not in OUTCOMES:
            raise ValueError(f"unknown outcome {value!r}; use one of {'、'.join(OUTCOMES)}")
        return value


class ScoreWeights(Strict):
    """How a dialogue stage's score is made from its three dimensions (weights, any scale)."""

    结果: int = Field(default=50, ge=0)
    合规: int = Field(default=25, ge=0)
    沟通: int = Field(default=25, ge=0)


class DialogueStage(Strict):
    kind: Literal["dialogue"]
    id: str | None = None
    title: str | None = None
    intro: str | None = None
    weight: int = Field(default=1, ge=1, description="Weight of this stage in the level total.")
    min_score: int | None = Field(default=None, ge=0, le=100, description=MIN_SCORE_HELP)
    meters: dict[str, int] = Field(
        default_factory=dict,
        description="Starting meter values (0–100); 信任, 情绪 and 合规 exist by default.",
    )
    score_weights: ScoreWeights = Field(default_factory=ScoreWeights)
    start: Text
    nodes: dict[str, Node] = Field(min_length=1)
    endings: dict[str, Ending] = Field(min_length=1)

    @model_validator(mode="after")
    def _ids_are_distinct(self) -> DialogueStage:
        shared = set(self.nodes) & set(self.endings)
        if shared:
            raise ValueError(f"ids used for both a node and an ending: {', '.join(sorted(shared))}")
        return self

    def initial_meters(self) -> dict[str, int]:
        return {**DEFAULT_METERS, **self.meters}

    @cached_property
    def uses_energy(self) -> bool:
        """Whether the collector's 能量 is tracked in this stage (old levels: never)."""
        return ENERGY_METER in self.meters or any(
            node.energy or node.pause or any(c.calm or c.snappish for c in node.choices) for node in self.nodes.values()
        )


# --------------------------------------------------------------------------------------------
# Quiz
# --------------------------------------------------------------------------------------------

OPTION_LETTERS = "ABCDEFGH"


class Question(Strict):
    id: str | None = Field(default=None, description="Required in banks; optional inline.")
    type: Literal["single", "multiple", "truefalse"] = "single"
    prompt: Text
    options: list[Text] = Field(default_factory=list, description="Answer options, lettered A, B, C…")
    answer: bool | str | list[str] = Field(description="single: 'B'; multiple: [A, C]; truefalse: true or false.")
    explanation: Text
    ref: RuleRef = Field(description="Rule card or glossary term the answer rests on.")
    tags: list[str] = Field(default_factory=list)
    time_limit: float | None = Field(default=None, gt=0, description="Seconds; overrides the stage's.")
    points: int | None = Field(default=None, ge=0)
    pin: dict[str, Literal["first", "last"]] = Field(
        default_factory=dict,
        description="Options that keep their place, e.g. {D: last}; the others are shown shuffled.",
    )

    @field_validator("answer", mode="before")
    @classmethod
    def _chinese_true_false(cls, value: object) -> object:
        # Trainers naturally write 对/错 for true/false answers.
        if isinstance(value, str) and value.strip() in ("对", "正确", "是"):
            return True
        if isinstance(value, str) and value.strip() in ("错", "错误", "否"):
            return False
        # `answer: b` or `[a, c]` means B / [A, C]: letters are not case-sensitive.
        if isinstance(value, str) and len(value.strip()) == 1:
            return value.strip().upper()
        if isinstance(value, list):
            return [v.strip().upper() if isinstance(v, str) and len(v.strip()) == 1 else v for v in value]
        return value

    @model_validator(mode="after")
    def _answer_fits_type(self) -> Question:
        if self.type == "truefalse":
            if not isinstance(self.answer, bool):
                raise ValueError("a truefalse question's answer must be true or false")
            if self.options:
                raise ValueError("a truefalse question has no options (they are always 对 / 错)")
            return self
        if len(self.options) < 2:
            raise ValueError(f"a {self.type} question needs at least 2 options")
        if len(self.options) > len(OPTION_LETTERS):
            raise ValueError(f"at most {len(OPTION_LETTERS)} options")
        letters = OPTION_LETTERS[: len(self.options)]
        given = [self.answer] if isinstance(self.answer, str) else self.answer
        if isinstance(given, bool) or not all(isinstance(g, str) for g in given):
            raise ValueError("answer must be option letters such as 'B' or [A, C]")
        bad = [g for g in given if g not in letters]
        if bad:
            raise ValueError(f"answer {', '.join(bad)} is not one of the options {', '.join(letters)}")
        if self.type == "single" and (not isinstance(self.answer, str)):
            raise ValueError("a single-choice question has one answer letter, e.g. 'B'")
        if self.type == "multiple" and len(set(given)) < 1:
            raise ValueError("a multiple-choice question needs at least one answer letter")
        stray = [k for k in self.pin if k not in letters]
        if stray:
            raise ValueError(f"pin names {', '.join(stray)}, not one of the options {', '.join(letters)}")
        return self

    def correct_set(self) -> frozenset[str]:
        """The correct answer as a set of option letters, or {'对'} / {'错'} for true/false."""
        if isinstance(self.answer, bool):
            return frozenset({"对" if self.answer else "错"})
        if isinstance(self.answer, str):
            return frozenset({self.answer})
        return frozenset(self.answer)

    def choice_labels(self) -> list[tuple[str, str]]:
        """(key, text) pairs the trainee chooses from."""
        if self.type == "truefalse":
            return [("对", "对（正确）"), ("错", "错（错误）")]
        return [(OPTION_LETTERS[i], text) for i, text in enumerate(self.options)]


class Draw(Strict):
    """Questions drawn at random from the banks in content/questions."""

    bank: str | None = Field(default=None, description="Bank id; omit to draw from every bank.")
    tags: list[str] = Field(default_factory=list, description="Only questions with any of these tags.")
    tier: Tier | None = None
    count: int = Field(ge=1)


class QuizStage(Strict):
    kind: Literal["quiz"]
    id: str | None = None
    title: str | None = None
    intro: str | None = None
    weight: int = Field(default=1, ge=1)
    min_score: int | None = Field(default=None, ge=0, le=100, description=MIN_SCORE_HELP)
    time_limit: float = Field(default=30, gt=0, description="Seconds per question.")
    points: int = Field(default=1000, ge=0, description="Points per question.")
    speed_bonus: bool = Field(default=True, description="Faster correct answers earn more points.")
    streak_bonus: bool = Field(default=True, description="+100 per consecutive correct answer, max +500.")
    shuffle: bool = False
    questions: list[Question] = Field(default_factory=list)
    draw: list[Draw] = Field(default_factory=list)

    @model_validator(mode="after")
    def _has_questions(self) -> QuizStage:
        if not self.questions and not self.draw:
            raise ValueError("a quiz needs `questions`, `draw`, or both")
        return self


# --------------------------------------------------------------------------------------------
# Audit
# --------------------------------------------------------------------------------------------


class TranscriptLine(Strict):
    speaker: Text
    text: Text
    violation: RuleRef | None = Field(default=None, description="Answer key: the rule this line breaks.")
    explanation: str | None = Field(default=None, description="Why (shown after submitting).")

    @model_validator(mode="after")
    def _violation_explained(self) -> TranscriptLine:
        if self.violation and not self.explanation:
            raise ValueError("a line marked as a violation needs an `explanation`")
        return self


class AuditStage(Strict):
    kind: Literal["audit"]
    id: str | None = None
    title: str | None = None
    intro: str | None = None
    weight: int = Field(default=1, ge=1)
    min_score: int | None = Field(default=None, ge=0, le=100, description=MIN_SCORE_HELP)
    transcript: list[TranscriptLine] = Field(min_length=2)
    rule_choices: list[RuleRef] = Field(
        default_factory=list,
        description="Rules the trainee picks from when flagging a line; the key's rules are always added.",
    )

    @model_validator(mode="after")
    def _has_key(self) -> AuditStage:
        if not any(line.violation for line in self.transcript):
            raise ValueError("an audit transcript needs at least one line with `violation`")
        return self


Stage = Annotated[DialogueStage | QuizStage | AuditStage, Field(discriminator="kind")]


# --------------------------------------------------------------------------------------------
# Level
# --------------------------------------------------------------------------------------------


class Case(Strict):
    debtor: Text = Field(description="Name as the collector knows it, e.g. 王建国.")
    persona: str = Field(description="One of: " + "、".join(PERSONAS))
    product: Text
    amount: float = Field(ge=0, description="Amount overdue in yuan.")
    days_overdue: int = Field(ge=0)
    bucket: str | None = Field(default=None, description="M1, M2 … ; computed from days_overdue if omitted.")
    gender: str | None = None
    age: int | None = Field(default=None, ge=16, le=120)
    phone: str | None = None
    history: list[str] = Field(default_factory=list)
    notes: str | None = None

    @field_validator("persona")
    @classmethod
    def _known_persona(cls, value: str) -> str:
        if value not in PERSONAS:
            raise ValueError(f"unknown persona {value!r}; use one of {'、'.join(PERSONAS)}")
        return value

    @property
    def effective_bucket(self) -> str:
        return self.bucket or bucket_for_days(self.days_overdue)


class Level(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", description="Lower-case, digits and dashes.")]
    title: Text
    tier: Tier
    order: int = Field(default=0, description="Position within the tier (lower first).")
    exam: bool = Field(default=False, description="A promotion exam (晋升考核): passing it opens the next tier.")
    requires: list[str] = Field(default_factory=list)
    pass_score: int = Field(ge=0, le=100)
    stars: list[int] | None = Field(
        default=None, description="Scores for 1, 2 and 3 stars; default [pass_score, midway, 90]."
    )
    skills: list[str] = Field(min_length=1)
    summary: str | None = Field(default=None, description="Briefing text.")
    objectives: list[str] = Field(default_factory=list)
    case: Case
    stages: list[Stage] = Field(min_length=1)

    @field_validator("skills")
    @classmethod
    def _known_skills(cls, value: list[str]) -> list[str]:
        unknown = [s for s in value if s not in SKILLS]
        if unknown:
            raise ValueError(f"unknown skill {'、'.join(unknown)}; use any of {'、'.join(SKILLS)}")
        return value

    @model_validator(mode="after")
    def _stars_ordered(self) -> Level:
        if self.stars is not None:
            if len(self.stars) != 3 or self.stars != sorted(self.stars):
                raise ValueError("stars must be three rising scores, e.g. [70, 80, 90]")
            if self.stars[0] != self.pass_score:
                raise ValueError("the first star threshold must equal pass_score")
        return self

    def star_thresholds(self) -> tuple[int, int, int]:
        if self.stars:
            return (self.stars[0], self.stars[1], self.stars[2])
        three = max(90, self.pass_score)
        return (self.pass_score, (self.pass_score + three + 1) // 2, three)


# --------------------------------------------------------------------------------------------
# Handbook (content/)
# --------------------------------------------------------------------------------------------


class RuleCard(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    law: Text = Field(description="Full name of the law or regulation, e.g. 《中华人民共和国民法典》.")
    article: str | None = Field(default=None, description="e.g. 第1038条; omit only if the source has no articles.")
    effective: dt.date = Field(description="Date the cited text took effect, YYYY-MM-DD.")
    date_basis: Literal["施行", "发布"] = Field(
        default="施行",
        description="施行: `effective` is the date it took effect; 发布: only its issue date is verified.",
    )
    summary: Text = Field(description="What it requires, in plain words.")
    compliant: Text = Field(description="An example of compliant practice.")
    non_compliant: Text = Field(description="An example of non-compliant practice.")
    red_line: bool = Field(default=False, description="Breaking it fails a level outright.")
    source: Text = Field(
        description="Shown to trainees: the official text or a reputable source, "
        "e.g. 《中华人民共和国民法典》第1038条（全国人民代表大会，2020）."
    )
    verification: Literal["V-P", "V-S"] = Field(
        description="For trainers, never shown: V-P checked against the law's text; V-S against secondary sources."
    )
    research: str | None = Field(
        default=None,
        description="For trainers, never shown: the research trail (files, sections, URLs, open questions).",
    )
    supersedes: str | None = Field(default=None, description="Repealed law this replaces, e.g. 《合同法》.")
    note: str | None = None
    tags: list[str] = Field(default_factory=list)


class RuleFile(Strict):
    rules: list[RuleCard] = Field(min_length=1)


class GlossaryTerm(Strict):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    term: Text
    english: str | None = None
    meaning: Text
    example: str | None = Field(default=None, description="A worked number or usage.")
    ref: RuleRef | None = None
    tags: list[str] = Field(default_factory=list)


class GlossaryFile(Strict):
    terms: list[GlossaryTerm] = Field(min_length=1)


class ExampleLine(Strict):
    line: Text
    why: Text


class Script(Strict):
    """Recommended 话术 for one objection type."""

    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    objection: Text = Field(description="Objection type, e.g. 经济困难型.")
    signals: list[str] = Field(default_factory=list, description="What the customer typically says.")
    approach: Text
    good: list[ExampleLine] = Field(min_length=1)
    bad: list[ExampleLine] = Field(min_length=1)
    refs: list[RuleRef] = Field(default_factory=list)


class ScriptFile(Strict):
    scripts: list[Script] = Field(min_length=1)


class BankQuestion(Question):
    id: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]


class QuestionBank(Strict):
    bank: Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$")]
    title: Text
    tier: Tier
    questions: list[BankQuestion] = Field(min_length=1)
