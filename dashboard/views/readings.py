"""评分卡 · 条款解读对得分的影响: the `kpi readings` table of one vendor-month, as a frame."""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from kpi.reports.readings import READINGS_HEADERS, reading_cells
from kpi.scoring.readings import ReadingRow


def readings_frame(rows: Sequence[ReadingRow], vendor: str) -> pd.DataFrame:
    """The vendor's rows as `kpi readings` prints them (text cells, the rulebook's reading marked)."""
    cells = [reading_cells(r)[1:] for r in rows if r.vendor == vendor]
    return pd.DataFrame(cells, columns=READINGS_HEADERS[1:])
