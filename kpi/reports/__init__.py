"""Reports: scorecards as JSON, aligned tables and line-by-line explanations; the per-agent table;
and every file writer (settlement statement and scorecards as .xlsx, CSV), written safely (temp file
and rename, formula-like text neutralised, never overwriting without being told).

Takes `Scorecard`s and detail results; hands on text, dicts and files.
"""
