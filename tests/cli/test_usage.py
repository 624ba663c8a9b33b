"""kpi.cli.usage.Group: commands imported when named, listed and suggested like the others."""

from __future__ import annotations

import subprocess
import sys

from click.testing import CliRunner

from kpi.cli.commands import LAZY, main
from tests.paths import ROOT


def test_scoring_does_not_load_the_database_and_pdf_libraries():
    code = "import sys, kpi.cli.commands; print(sorted({'sqlalchemy', 'fpdf'} & set(sys.modules)))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    assert done.stdout.strip() == "[]"


def test_lazy_commands_are_listed_named_and_suggested():
    runner = CliRunner()
    listed = runner.invoke(main, ["--help"]).output
    assert all(f"\n  {name} " in listed for name in LAZY)
    assert runner.invoke(main, ["history", "--help"]).output.startswith("Usage: main history [OPTIONS]")
    assert runner.invoke(main, ["statment"]).output.endswith(
        "错误：没有这个命令：statment（是不是 statement？）\n"
    )
