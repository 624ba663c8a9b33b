"""A signed-in user's scope: which vendors' rows they may see, whether caller numbers are shown in
full, and what they may change. Pure: the app and the CLI build a Scope once per request and pass it
to every query (`keep`) and every text that may hold a caller number (`callers`)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from kpi.access.roles import ADMIN, FINANCE, MANAGER, VENDOR, check_role
from kpi.detail.evidence import mask_caller

T = TypeVar("T")

# Anything that may be a phone number: a run of 7 to 12 digits, not part of a longer run (call ids) nor
# of a decimal (amounts). Wider than real numbering plans on purpose: platforms export test and
# internal numbers too (10086999001), and for a role that may not see callers a masked date or count
# costs little, a number left in full costs its owner's privacy.
_PHONE = re.compile(r"(?<![\d.])\d{7,12}(?![\d.])")


@dataclass(frozen=True)
class Scope:
    user: str
    role: str
    vendor: str | None = None  # the one vendor of a 外包公司 user
    demo: bool = False  # the sample-data demo without a database (shown as 演示)

    def __post_init__(self) -> None:
        why = check_role(self.role, self.vendor)
        if why:
            raise ValueError(why)  # a bug: scopes are built from users already checked

    @property
    def sees_data(self) -> bool:
        return self.role != ADMIN

    @property
    def sees_callers(self) -> bool:
        return self.role == MANAGER

    @property
    def manages_users(self) -> bool:
        return self.role == ADMIN

    @property
    def runs_cycle(self) -> bool:
        """Import, publish, finalise, decide disputes."""
        return self.role == MANAGER

    def sees_vendor(self, vendor: str) -> bool:
        if self.role in (MANAGER, FINANCE):
            return True
        return self.role == VENDOR and vendor == self.vendor

    def files_dispute_for(self, vendor: str) -> bool:
        return self.role == MANAGER or (self.role == VENDOR and vendor == self.vendor)

    def keep(self, items: Iterable[T], vendor_of: Callable[[T], str] = lambda x: x.vendor) -> tuple[T, ...]:
        """The items of vendors this scope sees, in their order: the one filter every query and
        download passes through."""
        return tuple(x for x in items if self.sees_vendor(vendor_of(x)))

    def caller(self, number: str) -> str:
        """One caller number as this scope may see it."""
        return number if self.sees_callers else mask_caller(number)

    def callers(self, text: str) -> str:
        """Any text (a cell value, a message, an exported line) with the phone numbers in it masked
        for every role but 合同管理."""
        if self.sees_callers:
            return text
        return _PHONE.sub(lambda m: mask_caller(m.group(0)), text)
