"""Readings of contested clauses as rulebook data: key paths set, in effect or not, located errors."""

from importlib import resources

import pytest

from kpi.rules.rulebook import RulebookError, in_effect, parse_rulebook, with_reading

DEFAULT = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")


def reading(rules, label):
    return next(r for r in rules.readings if r.label == label)


def test_default_readings_cover_every_contested_clause(rules):
    topics = list(dict.fromkeys(r.topic for r in rules.readings))
    assert topics == [
        "不满意回访率：回访率恰为 80% 的分数",
        "不满意回访率：低于 80%",
        "二小时重复拨打率：高于 17%",
        "二小时重复拨打率：计数口径",
        "服务万次投诉率：高于万分之五",
        "在线监听正确率：「37分」",
        "业务稽核合格率：不足 1 个百分点",
        "服务请求支撑率：所属类别",
        "类别得分：30/60/10 是权重还是分数之和",
        "未考核的指标",
        "业务考试：考试平均分的计法",
        "业务考试：已组织但无人参考",
        "信息安全扣款：按哪一笔酬金的 10%",
        "结算：得分与金额的换算",
    ]
    # each topic has exactly one reading the default rulebook follows
    for topic in topics:
        assert sum(in_effect(rules, r) for r in rules.readings if r.topic == topic) == 1, topic


def test_a_reading_sets_its_keys_and_nothing_else(rules):
    changed = with_reading(rules, reading(rules, "计入服务表现"))
    assert changed.metric("support_rate").category == "service"
    assert [m for m in changed.metrics if m.id != "support_rate"] == [
        m for m in rules.metrics if m.id != "support_rate"
    ]
    assert (changed.categories, changed.adjustments, changed.settlement) == (
        rules.categories,
        rules.adjustments,
        rules.settlement,
    )


def test_star_sets_every_entry(rules):
    changed = with_reading(rules, reading(rules, "各项得分直接相加（不折算）"))
    assert [c.scale_to_weight for c in changed.categories] == [False, False, False]
    nested = with_reading(rules, reading(rules, "只扣参考率 2 分"))
    assert nested.metric("business_exam").exam.no_takers == "participation_only"


ADDED = """
[[readings]]
topic = "测试"
clause = "某条款"
label = "某解读"
changes = {{ {changes} }}
"""


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            '"metrics.callbak_rate.curve" = []',
            "文件「t.toml」，键「readings[31].changes.metrics.callbak_rate.curve」：metrics 中没有 id 为「callbak_rate」的项",
        ),
        (
            '"adjustments.audit_pass_rate.shortfal" = "whole_points"',
            "文件「t.toml」，键「readings[31].changes.adjustments.audit_pass_rate.shortfal」：「adjustments」中没有键「shortfal」",
        ),
        (
            '"rounding.points_places" = "two"',
            "文件「t.toml」，键「readings[31].changes → rounding.points_places」：按解读「某解读」改动后：类型不对：发现「'two'」，应为整数",
        ),
        (
            '"adjustments.audit_pass_rate.shortfall" = "half"',
            "文件「t.toml」，键「readings[31].changes → adjustments[2].shortfall」：按解读「某解读」改动后：应为 proportional、whole_points 或 started_points",
        ),
        (
            '"nowhere.key" = 1',
            "文件「t.toml」，键「readings[31].changes.nowhere.key」：未知的规则本部分「nowhere」",
        ),
    ],
)
def test_bad_readings_are_located(changes, message):
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(DEFAULT + ADDED.format(changes=changes), source="t.toml")
    assert [str(p) for p in caught.value.problems][0].startswith(message)


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        (
            'no_takers = "lowest_band"',
            'no_takers = "skip"',
            "键「metrics[8].exam.no_takers」：应为 lowest_band、participation_only、not_assessed，发现「skip」",
        ),
        (
            'repeat_count = "calls"',
            'repeat_count = "people"',
            "键「detail.repeat_count」：应为 calls、customers，发现「people」",
        ),
        (
            'fee_base = "base_fee"',
            'fee_base = "net_fee"',
            "键「adjustments[4].fee_base」：应为 base_fee、adjusted_fee，发现「net_fee」",
        ),
        (
            'scale_to_weight = true\nnot_assessed = "drop_from_max"',
            'scale_to_weight = true\nnot_assessed = "ignore"',
            "键「categories[1].not_assessed」：应为 drop_from_max、full、zero，发现「ignore」",
        ),
    ],
)
def test_option_values_are_checked(old, new, message):
    assert old in DEFAULT
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(DEFAULT.replace(old, new, 1), source="t.toml")
    assert [str(p) for p in caught.value.problems] == [f"文件「t.toml」，{message}"]


def test_applying_a_reading_leaves_the_rulebook_data_as_it_was():
    import tomllib
    from decimal import Decimal

    from kpi.rules.readings import apply_changes

    data = tomllib.loads(DEFAULT, parse_float=Decimal)
    before = repr(data)
    changed = apply_changes(
        data,
        (
            ("metrics.business_exam.exam.no_takers", "not_assessed"),
            ("categories.*.not_assessed", "zero"),
            ("settlement.mode", "bands"),
        ),
    )
    assert repr(data) == before
    assert changed["metrics"][7]["exam"]["no_takers"] == "not_assessed"
    assert [c["not_assessed"] for c in changed["categories"]] == ["zero"] * 3
    assert changed["settlement"]["mode"] == "bands" and "readings" not in changed


def test_an_older_rulebook_listing_exam_takers_scores_zero_takers_not_assessed():
    """Rulebooks from before exam.no_takers (copied by users, kept in the history database) said
    "0 takers → not assessed" by listing the takers in not_assessed_when_zero: they keep that meaning."""
    old = DEFAULT.replace('no_takers = "lowest_band"\n', "", 1).replace(
        'kind = "exam"\n', 'kind = "exam"\nnot_assessed_when_zero = ["exam_takers"]\n', 1
    )
    exam = parse_rulebook(old, source="old.toml").metric("business_exam")
    assert exam.exam.no_takers == "not_assessed"
    assert "exam_takers" not in exam.not_assessed_when_zero
    # a stated no_takers wins over the older list (so a reading of the clause applies to such a rulebook too)
    both = DEFAULT.replace('kind = "exam"\n', 'kind = "exam"\nnot_assessed_when_zero = ["exam_takers"]\n', 1)
    assert parse_rulebook(both, source="t.toml").metric("business_exam").exam.no_takers == "lowest_band"
