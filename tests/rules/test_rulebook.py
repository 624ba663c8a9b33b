"""The rulebook is data: editing a copy changes the score; a broken one gives located errors."""

from importlib import resources
from pathlib import Path

import pytest

from kpi.rules.rulebook import RulebookError, load_rulebook, parse_rulebook
from kpi.scoring.scorecard import score
from tests.builders import vendor_month

DEFAULT = resources.files("kpi.rules").joinpath("default.toml").read_text("utf-8")


def test_default_rulebook(rules):
    assert rules.unit_price == __import__("decimal").Decimal("0.85")
    assert [m.id for m in rules.metrics] == [
        "repeat_2h",
        "support_rate",
        "dial_test_accuracy",
        "monitoring_accuracy",
        "complaints_per_10k",
        "ticket_accuracy",
        "callback_rate",
        "business_exam",
    ]
    assert [a.id for a in rules.adjustments] == [
        "escalated_complaints",
        "audit_pass_rate",
        "missing_audit_records",
        "security_incidents",
        "emergency_coverage",
    ]
    assert [(c.id, c.weight) for c in rules.categories] == [
        ("operations", 30),
        ("service", 60),
        ("other", 10),
    ]


def test_editing_a_copy_changes_the_score(tmp_path: Path, rules):
    edited = DEFAULT.replace('curve = [["14", "10"], ["17", "7"]]', 'curve = [["14", "10"], ["18", "7"]]')
    assert edited != DEFAULT
    path = tmp_path / "我的规则.toml"
    path.write_text(edited, "utf-8")
    vm = vendor_month(repeat_2h_calls=1750)  # 17.5%: beyond the old baseline, inside the new one
    before = next(m for m in score(vm, rules).metrics if m.id == "repeat_2h")
    after = next(m for m in score(vm, load_rulebook(path)).metrics if m.id == "repeat_2h")
    assert (str(before.points), str(after.points)) == ("0.00", "7.38")  # 10 − 3 × 3.5/4 = 7.375


def test_unit_price_comes_from_the_rulebook(tmp_path: Path):
    rules = parse_rulebook(DEFAULT.replace('unit_price = "0.85"', "unit_price = 0.9"))
    assert str(score(vendor_month(), rules).settlement.base_fee) == "8820.00"


BROKEN = [
    (
        'unit_price = "0.85"',
        'unit_price = "0.85"\nunit_prise = "0.9"',
        "文件「t.toml」，键「contract.unit_prise」：未知的键（拼写错误？）",
    ),
    (
        'curve = [["14", "10"], ["17", "7"]]',
        'curve = [["17", "7"], ["14", "10"]]',
        "文件「t.toml」，键「metrics[1].curve」：曲线的点必须按 x 严格递增排列",
    ),
    (
        'category = "operations"\nmax_points = "10"',
        'category = "operation"\nmax_points = "10"',
        "文件「t.toml」，键「metrics[1].category」：指标「repeat_2h」的类别「operation」不存在（可选：operations、service、other）",
    ),
    ('weight = "30"', 'weight = "0"', "文件「t.toml」，键「categories[1].weight」：权重必须大于 0"),
    (
        'numerator = ["repeat_2h_calls"]',
        'numerator = ["repeats"]',
        "文件「t.toml」，键「metrics[1].numerator」：未知的输入「repeats」",
    ),
    ('mode = "linear"', 'mode = "linear"\nmode = "bands"', None),  # TOML syntax: duplicate key
    ("repeat_window_minutes = 120", "", "文件「t.toml」，键「detail.repeat_window_minutes」：缺少必填的键"),
    (
        'effective_month = "2024-01"',
        'effective_month = "2024年1月"',
        "文件「t.toml」，键「contract.effective_month」：应写成 YYYY-MM",
    ),
    (
        'repeat_anchor = "answer_time"',
        'repeat_anchor = "answered"',
        "文件「t.toml」，键「detail.repeat_anchor」：应为 answer_time、queue_time 或 end_time",
    ),
    (
        'timezone = "Asia/Shanghai"',
        'timezone = "Beijing"',
        "文件「t.toml」，键「detail.timezone」：不认识的时区「Beijing」，应为 IANA 时区名，如 Asia/Shanghai",
    ),
    (
        "clock_skew_seconds = 5",
        "clock_skew_seconds = 86400",
        "文件「t.toml」，键「detail.clock_skew_seconds」：时钟误差应在 0 到 3600 秒之间",
    ),
    (
        "same_queue_only = false",
        'same_queue_only = "no"',
        "文件「t.toml」，键「detail.same_queue_only」",
    ),
]


@pytest.mark.parametrize(("old", "new", "message"), BROKEN)
def test_broken_rulebook_is_located(old, new, message):
    text = DEFAULT.replace(old, new, 1)
    assert text != DEFAULT
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(text, source="t.toml")
    texts = [str(p) for p in caught.value.problems]
    if message is None:
        assert texts[0].startswith("文件「t.toml」：TOML 语法错误")
    else:
        assert any(t.startswith(message) for t in texts), texts


def test_missing_rulebook_file(tmp_path: Path):
    with pytest.raises(RulebookError) as caught:
        load_rulebook(tmp_path / "nope.toml")
    assert str(caught.value.problems[0]).endswith("：找不到规则本文件")


MORE_BROKEN = [
    ('id = "support_rate"', 'id = "repeat_2h"', "键「metrics[2].id」：重复的 id「repeat_2h」"),
    (
        'direction = "lower_better"\ncurve = [["14", "10"], ["17", "7"]]',
        'direction = "higher_better"\ncurve = [["14", "10"], ["17", "7"]]',
        "键「metrics[1].curve」：曲线的分数与方向 higher_better 不一致",
    ),
    (
        'curve = [["14", "10"], ["17", "7"]]',
        'curve = [["14", "12"], ["17", "7"]]',
        "键「metrics[1].curve」：曲线上的分数必须在 0 到满分 10 之间",
    ),
    ('kind = "exam"', 'kind = "quiz"', "键「metrics[8].kind」：未知的指标类型「quiz」，应为 ratio 或 exam"),
    (
        'kind = "per_count"\ninput = "escalated_complaints"',
        'kind = "per_case"\ninput = "escalated_complaints"',
        "键「adjustments[1].kind」：未知的类型「per_case」，应为 per_count、below_rate、fee_percent、ratio_report",
    ),
    ('points_per_unit = "-5"\n', "", "键「adjustments[1].points_per_unit」：类型 per_count 缺少此键"),
    (
        'points_per_point = "-1"\nshortfall = "proportional"',
        'points_per_point = "-1"\nshortfall = "rounded"',
        "键「adjustments[2].shortfall」：应为 proportional、whole_points 或 started_points",
    ),
    (
        '[settlement]\nmode = "linear"',
        '[settlement]\nmode = "steps"',
        "键「settlement.mode」：应为 linear、bands 或 curve，发现「steps」",
    ),
    (
        '[settlement]\nmode = "linear"',
        '[settlement]\nmode = "bands"\nbands = [{ min_score = "60", coefficient = "0.9" }, { min_score = "90", coefficient = "1" }]',
        "键「settlement.bands」：分档必须按 min_score 从高到低排列",
    ),
    (
        '[settlement]\nmode = "linear"',
        '[settlement]\nmode = "bands"',
        '键「settlement.bands」：mode = "bands" 需要至少一个分档',
    ),
    (
        '    { below = "60", deduct = "5" },\n    { below = "75", deduct = "2" },',
        '    { below = "75", deduct = "2" },\n    { below = "60", deduct = "5" },',
        "键「metrics[8].exam.bands」：考试分档必须按 below 从低到高排列",
    ),
    (
        'above = "0"\nnot_assessed_when_zero = ["connected_calls"]\nclause = "2小时',
        'above = "zero"\nnot_assessed_when_zero = ["connected_calls"]\nclause = "2小时',
        '键「metrics[1].above」：应为 "clamp"、"extend" 或数字，发现「zero」',
    ),
    ('weight = "30"', "weight = true", "键「categories[1].weight」：类型不对：发现「True」，应为数字"),
]


@pytest.mark.parametrize(("old", "new", "message"), MORE_BROKEN)
def test_each_named_check_names_its_key(old, new, message):
    assert old in DEFAULT
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(DEFAULT.replace(old, new, 1), source="t.toml")
    assert [str(p) for p in caught.value.problems] == [f"文件「t.toml」，{message}"]


def test_the_cycle_section_gives_the_dispute_days(rules):
    assert rules.dispute_days == 5
    assert parse_rulebook(DEFAULT.replace("dispute_days = 5", "dispute_days = 3")).dispute_days == 3
    without = DEFAULT[
        : DEFAULT.index(
            "# ---------------------------------------------------------------- the monthly cycle"
        )
    ]
    assert parse_rulebook(without).dispute_days == 5  # the section may be left out: 5 calendar days
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(DEFAULT.replace("dispute_days = 5", "dispute_day = 5"))
    assert [str(p) for p in caught.value.problems] == [
        "文件「规则本」，键「cycle.dispute_day」：未知的键（拼写错误？），应为dispute_days",
        "文件「规则本」，键「cycle.dispute_days」：缺少必填的键",
    ]


def test_a_rulebook_from_before_the_detail_options_keeps_its_reading():
    text = "\n".join(
        line
        for line in DEFAULT.splitlines()
        if not line.startswith(("timezone", "clock_skew", "same_queue", "reentry_must", "exclude_transfers"))
    )
    d = parse_rulebook(text, source="old.toml").detail
    assert (
        d.timezone,
        d.clock_skew_seconds,
        d.same_queue_only,
        d.reentry_must_connect,
        d.exclude_transfers,
    ) == (
        "Asia/Shanghai",
        0,  # no skew tolerance unless the rulebook grants it
        False,
        False,
        False,
    )


def _metrics(n: int) -> str:
    """The default rulebook with `n` copies of its first metric (ids made unique)."""
    start = DEFAULT.index('[[metrics]]\nid = "repeat_2h"')
    end = DEFAULT.index('[[metrics]]\nid = "support_rate"')
    block = DEFAULT[start:end]
    extra = "".join(block.replace('id = "repeat_2h"', f'id = "m{i}"', 1) for i in range(n))
    return DEFAULT[:end] + extra + DEFAULT[end:]


# Each number of the rulebook has a sane range, checked before use; each hostile value is a located error.
OUT_OF_RANGE = [
    (
        'unit_price = "0.85"',
        "unit_price = nan",
        "键「contract.unit_price」：不是有限的数（nan/inf）：发现「NaN」",
    ),
    (
        'unit_price = "0.85"',
        "unit_price = inf",
        "键「contract.unit_price」：不是有限的数（nan/inf）：发现「Infinity」",
    ),
    (
        'unit_price = "0.85"',
        "unit_price = 1e400",
        "键「contract.unit_price」：数字超出合理范围（绝对值不超过 1,000,000,000，小数不超过 10 位）：发现「1E+400」",
    ),
    (
        'weight = "30"',
        'weight = "30.00000000001"',
        "键「categories[1].weight」：数字超出合理范围（绝对值不超过 1,000,000,000，小数不超过 10 位）：发现「30.00000000001」",
    ),
    (
        'unit_price = "0.85"',
        'unit_price = "-0.85"',
        "键「contract.unit_price」：单价必须大于 0，发现「-0.85」",
    ),
    ('unit_price = "0.85"', 'unit_price = "0"', "键「contract.unit_price」：单价必须大于 0，发现「0」"),
    (
        "coefficient_places = 4",
        "coefficient_places = 100000000",
        "键「rounding.coefficient_places」：应在 0 到 8 之间，发现 100,000,000",
    ),
    ("points_places = 2", "points_places = 7", "键「rounding.points_places」：应在 0 到 6 之间，发现 7"),
    ("money_places = 2", "money_places = 5", "键「rounding.money_places」：应在 0 到 4 之间，发现 5"),
    (
        "repeat_window_minutes = 120",
        "repeat_window_minutes = 100000",
        "键「detail.repeat_window_minutes」：应在 1 到 10,080 之间，发现 100,000",
    ),
    (
        "repeat_window_minutes = 120",
        "repeat_window_minutes = 0",
        "键「detail.repeat_window_minutes」：应在 1 到 10,080 之间，发现 0",
    ),
    (
        "new_agent_months = 2",
        "new_agent_months = 1200",
        "键「detail.new_agent_months」：应在 0 到 120 之间，发现 1,200",
    ),
    (
        "new_agent_months = 2",
        "new_agent_months = 10000000000",
        "键「detail.new_agent_months」：整数超出合理范围（不超过 1,000,000,000）：发现「10000000000」",
    ),
    (
        "test_numbers = []",
        'test_numbers = ["10086", " "]',
        "键「detail.test_numbers[2]」：测试号码不能为空（空号码会把所有隐藏号码的来电从有效话务量中去掉）",
    ),
    (
        'above = "0"\nnot_assessed_when_zero = ["connected_calls"]\nclause = "2小时',
        'above = "1000"\nnot_assessed_when_zero = ["connected_calls"]\nclause = "2小时',
        "键「metrics[1].above」：应在 0 到满分 10 之间，发现「1000」",
    ),
    (
        'below = "0"\nabove = "clamp"',
        'below = "-3"\nabove = "clamp"',
        "键「metrics[6].below」：应在 0 到满分 5 之间，发现「-3」",
    ),
    (
        'participation_deduction = "2"',
        'participation_deduction = "-2"',
        "键「metrics[8].exam.participation_deduction」：扣分应在 0 到满分 5 之间",
    ),
    (
        '{ below = "60", deduct = "5" }',
        '{ below = "60", deduct = "-5" }',
        "键「metrics[8].exam.bands[1].deduct」：扣分应在 0 到满分 5 之间，发现「-5」",
    ),
    (
        'points_if_failed = "0"',
        'points_if_failed = "1000"',
        "键「metrics[6].gate.points_if_failed」：应在 0 到满分 5 之间",
    ),
    (
        'percent_per_unit = "10"',
        'percent_per_unit = "-10"',
        "键「adjustments[4].percent_per_unit」：百分比应在 0 到 100 之间",
    ),
    ('payout_floor = "0"', 'payout_floor = "-1"', "键「settlement.payout_floor」：保底金额不能小于 0"),
    ('threshold = "50"', 'threshold = "50"\nscale = "0"', None),  # a duplicate key: TOML syntax
    (
        'operator = ">"',
        'operator = "É"',
        "键「metrics[6].gate.operator」：应为 >、>=、<、<= 之一，发现「É」",
    ),  # found by the fuzz
    ('scale = "10000"', 'scale = "-10000"', "键「metrics[5].scale」：比例系数 scale 必须大于 0"),
]


@pytest.mark.parametrize(("old", "new", "message"), OUT_OF_RANGE)
def test_every_number_has_a_sane_range(old, new, message):
    assert old in DEFAULT
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(DEFAULT.replace(old, new, 1), source="t.toml")
    texts = [str(p) for p in caught.value.problems]
    if message is None:
        assert texts[0].startswith("文件「t.toml」：TOML 语法错误")
    else:
        assert texts == [f"文件「t.toml」，{message}"]


def test_integers_beyond_4300_digits_and_nesting_thousands_deep_are_located():
    cases = {
        DEFAULT.replace("new_agent_months = 2", "new_agent_months = " + "9" * 5000): (
            "文件「t.toml」：数字位数过多（整数超过 4,300 位），应为合理大小的数字"
        ),
        DEFAULT
        + "\nx = "
        + "[" * 5000
        + "]" * 5000: "文件「t.toml」：表或数组嵌套过深（最多 8 层，见默认规则本的结构）",
        DEFAULT.replace('curve = [["14", "10"], ["17", "7"]]', "curve = " + "[" * 9 + "]" * 9): (
            "文件「t.toml」，键「metrics[1].curve[1][1][1][1][1]」：表或数组嵌套过深（最多 8 层，见默认规则本的结构）"
        ),
    }
    for text, message in cases.items():
        with pytest.raises(RulebookError) as caught:
            parse_rulebook(text, source="t.toml")
        assert [str(p) for p in caught.value.problems] == [message]


def test_the_number_of_metrics_is_capped():
    parse_rulebook(_metrics(92))  # 100 metrics: accepted
    with pytest.raises(RulebookError) as caught:
        parse_rulebook(_metrics(93), source="t.toml")
    assert [str(p) for p in caught.value.problems] == [
        "文件「t.toml」，键「metrics」：指标最多 100 个，发现 101 个"
    ]
