"""数据检查: the problem list as a table and as CSV."""

from __future__ import annotations

import pandas as pd

from kpi.errors import Problem
from kpi.reports.files import table_csv_bytes


# ------------------------------------------------------------------ 数据检查 / 坐席
def problems_table(problems: tuple[Problem, ...] | list[Problem]) -> pd.DataFrame:
    """One row per problem; a rulebook's problems add the 键 column (the key path, e.g. metrics[1].curve)."""
    table = pd.DataFrame(
        [
            {
                "序号": i,
                "文件": p.file,
                "工作表": p.sheet,
                "行": "" if p.row is None else str(p.row),
                "列": p.column,
                "发现": p.value,
                "应为": p.expected,
                "问题": p.message,
            }
            for i, p in enumerate(problems, 1)
        ],
        columns=["序号", "文件", "工作表", "行", "列", "发现", "应为", "问题"],
    )
    if any(p.key for p in problems):
        table.insert(2, "键", [p.key for p in problems])
    return table


def problems_csv(problems: tuple[Problem, ...] | list[Problem]) -> bytes:
    """The problem list to download: a found value like "=1+1" stays text in Excel."""
    table = problems_table(problems)
    return table_csv_bytes(list(table.columns), table.values.tolist())
