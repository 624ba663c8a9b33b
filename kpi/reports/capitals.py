"""An amount of yuan in Chinese capitals (人民币大写), as banks and the accounting rules write it.

Digits 零壹贰叁肆伍陆柒捌玖, units 拾佰仟 within a group of four and 万/亿 for the groups, then 元, 角, 分
(shared spec statement.md). The readings taken where the rules allow two:
- a run of zeros between non-zero digits is one 零; zeros at the end of a group (before 万/亿/元)
  are not written, so 105,000 → 壹拾万伍仟元 and 100,500 → 壹拾万零伍佰元;
- the 拾 digit is always written: 15 → 壹拾伍元;
- no 零 between 元 and 角: 7,300.62 → 柒仟叁佰元陆角贰分; 角 0 and 分 not: 元零伍分;
- 整 after 元 and after 角 (so nothing can be added after it), never after 分;
- under one yuan the 零元 is left out: 0.45 → 肆角伍分; zero is 零元整.
"""

from __future__ import annotations

from decimal import Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ("", "拾", "佰", "仟")
GROUPS = ("", "万", "亿")
LIMIT = Decimal(10) ** 12  # 壹万亿: past what a statement needs


def _yuan(whole: int) -> str:
    """The integer yuan in capitals, without 元 ('' for 0)."""
    digits = [int(d) for d in str(whole)]
    out: list[str] = []
    zero = False  # a zero was passed since the last written digit, inside the number
    for i, d in enumerate(digits):
        power = len(digits) - 1 - i
        if d == 0:
            zero = bool(out)
        else:
            if zero:
                out.append("零")
            out.append(DIGITS[d] + PLACES[power % 4])
            zero = False
        if power % 4 == 0 and power:
            group = digits[max(0, i - 3) : i + 1]
            if any(group):
                out.append(GROUPS[power // 4])
                zero = False  # trailing zeros of a group are not read as 零
    return "".join(out)


def capitals(amount: Decimal) -> str:
    """The amount in capitals, without the 人民币 prefix: Decimal('4459.05') → 肆仟肆佰伍拾玖元零伍分.

    The amount must already be rounded to the fen and be at least 0 and below 壹万亿."""
    if not isinstance(amount, Decimal) or amount != amount.quantize(Decimal("0.01")):
        raise ValueError(f"capitals() needs a Decimal rounded to the fen, got {amount!r}")
    if amount < 0 or amount >= LIMIT:
        raise ValueError(f"capitals() takes 0 ≤ amount < 10^12, got {amount}")
    fen_total = int(amount * 100)
    whole, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    yuan = _yuan(whole)
    if not whole and not jiao and not fen:
        return "零元整"
    head = yuan + "元" if whole else ""
    if not jiao and not fen:
        return head + "整"
    if not fen:
        return head + DIGITS[jiao] + "角整"
    if not jiao:
        return head + ("零" if whole else "") + DIGITS[fen] + "分"
    return head + DIGITS[jiao] + "角" + DIGITS[fen] + "分"


def rmb(amount: Decimal) -> str:
    """As printed on the statement: 人民币肆仟肆佰伍拾玖元零伍分."""
    return "人民币" + capitals(amount)
