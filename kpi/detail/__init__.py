"""The call detail: 话务明细 (one or several sheets or files), 坐席名册 and 考试成绩. Its columns and
cells are read over whole Arrow columns into a canonical calls table; the 2-hour repeat measure (spec §4)
and the staff and exam figures are computed from it; reconciliation sets them beside the summary.

A call platform's own export is read through a source profile (source.py; built-ins in sources/,
event logs and leg-per-row CDRs turned into calls by platforms.py) into the same calls table.

Takes workbook/CSV/text paths, the source profile and the rulebook's `[detail]` settings; hands on a `DetailRun` (measure,
per-agent repeats, reconciliation rows, notes) whose figures replace the summary's in the records.
"""
