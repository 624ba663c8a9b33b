from collections import namedtuple

import pytest

from kpi.access.roles import ADMIN, FINANCE, MANAGER, VENDOR, check_role
from kpi.access.scope import Scope

Row = namedtuple("Row", "vendor value")
ROWS = (Row("甲公司", 1), Row("乙公司", 2), Row("甲公司", 3))


@pytest.mark.parametrize(
    ("scope", "kept"),
    [
        (Scope("王经理", MANAGER), (1, 2, 3)),
        (Scope("李会计", FINANCE), (1, 2, 3)),
        (Scope("甲", VENDOR, "甲公司"), (1, 3)),
        (Scope("乙", VENDOR, "乙公司"), (2,)),
        (Scope("管理", ADMIN), ()),
    ],
)
def test_keep_filters_by_the_users_vendor(scope, kept):
    assert tuple(r.value for r in scope.keep(ROWS)) == kept


def test_keep_takes_another_vendor_field():
    rows = [{"公司": "甲公司"}, {"公司": "丙公司"}]
    assert Scope("甲", VENDOR, "甲公司").keep(rows, lambda r: r["公司"]) == ({"公司": "甲公司"},)


@pytest.mark.parametrize(
    ("role", "text", "shown"),
    [
        (MANAGER, "主叫 13812341234 两次", "主叫 13812341234 两次"),
        (FINANCE, "主叫 13812341234 两次", "主叫 138****1234 两次"),
        (FINANCE, "01088889999", "010****9999"),
        (FINANCE, "话单编号 2024013112345678901", "话单编号 2024013112345678901"),
        (FINANCE, "金额 1381234123.40 元", "金额 1381234123.40 元"),
        (FINANCE, "平台测试号 10086999001、座机 1058880000", "平台测试号 100****9001、座机 105***0000"),
        (FINANCE, "第 123456 行", "第 123456 行"),
        (FINANCE, "工号 ZH0012", "工号 ZH0012"),
    ],
)
def test_callers_are_masked_for_every_role_but_contract_management(role, text, shown):
    vendor = "甲公司" if role == VENDOR else None
    assert Scope("某人", role, vendor).callers(text) == shown


def test_one_caller():
    assert Scope("甲", VENDOR, "甲公司").caller("13812341234") == "138****1234"
    assert Scope("王", MANAGER).caller("13812341234") == "13812341234"


@pytest.mark.parametrize(
    ("role", "vendor", "why"),
    [
        ("老板", None, "角色「老板」不存在；可选：管理员、合同管理、财务、外包公司"),
        (VENDOR, None, "角色「外包公司」须指定所属外包公司（--vendor）"),
        (FINANCE, "甲公司", "只有「外包公司」角色绑定外包公司；「财务」不能指定 --vendor"),
        (VENDOR, "甲公司", None),
    ],
)
def test_check_role(role, vendor, why):
    assert check_role(role, vendor) == why


def test_permissions():
    manager, finance, vendor = Scope("王", MANAGER), Scope("李", FINANCE), Scope("甲", VENDOR, "甲公司")
    assert [s.runs_cycle for s in (manager, finance, vendor)] == [True, False, False]
    assert vendor.files_dispute_for("甲公司") and not vendor.files_dispute_for("乙公司")
    assert not finance.files_dispute_for("甲公司")
    assert Scope("管理", ADMIN).manages_users and not Scope("管理", ADMIN).sees_data
