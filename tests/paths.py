"""Where the tests find the project's files, wherever the test module sits."""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "sample_data" / "monthly_2024H1.xlsx"
CORPUS = ROOT / "tests" / "corpus"
