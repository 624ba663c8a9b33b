"""kpi.cli.usage.Group: commands imported when named, listed and suggested like the others."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
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


def test_the_command_line_takes_arrow_memory_from_jemalloc_unless_the_user_chose():
    code = (
        "import pyarrow as pa\nfrom kpi.cli.commands import main\n"
        "main(['sources'])\nprint(pa.default_memory_pool().backend_name)"
    )
    for chosen, expected in ((None, "jemalloc"), ("mimalloc", "mimalloc"), ("system", "system")):
        env = {k: v for k, v in os.environ.items() if k != "ARROW_DEFAULT_MEMORY_POOL"}
        if chosen:
            env["ARROW_DEFAULT_MEMORY_POOL"] = chosen
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
        )
        assert done.stdout.splitlines()[-1] == expected


THP = Path("/sys/kernel/mm/transparent_hugepage/enabled")


@pytest.mark.skipif(
    not THP.exists() or "[never]" in THP.read_text(), reason="the kernel offers no transparent huge pages"
)
def test_the_command_line_asks_jemalloc_for_huge_pages_unless_the_user_set_it():
    """Arrow's buffers then fault in 2 MiB pages: 4 fresh 64 MiB results cost a few hundred faults,
    not 4 KiB each (~65,000); a JE_ARROW_MALLOC_CONF the user set is kept."""
    code = (
        "from kpi.cli.commands import main\nmain(['sources'])\n"
        "import resource, numpy as np, pyarrow as pa, pyarrow.compute as pc\n"
        "x = pa.array(np.arange(8 << 20))\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt\n"
        "for _ in range(4):\n    pc.add(x, 1)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before)"
    )
    faults = {}
    for chosen in (None, "thp:never"):
        env = {
            k: v
            for k, v in os.environ.items()
            if k not in ("ARROW_DEFAULT_MEMORY_POOL", "JE_ARROW_MALLOC_CONF")
        }
        if chosen:
            env["JE_ARROW_MALLOC_CONF"] = chosen
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, check=True
        )
        faults[chosen] = int(done.stdout.splitlines()[-1])
    assert faults["thp:never"] > 4 * (64 << 20) // 4096 // 2  # 4 KiB pages: the user's setting kept
    assert faults[None] < faults["thp:never"] // 20


def test_the_command_as_a_process_exits_with_its_code_and_every_byte_of_its_output():
    """run_process skips the interpreter's tear-down: output written just before still arrives
    whole (through a pipe), and each way out keeps its exit code."""
    cases = {
        "print('行' * 200_000, end='')": (0, "行" * 200_000, ""),
        "sys.exit(2)": (2, "", ""),
        "sys.exit('出错了')": (1, "", "出错了\n"),
        "sys.stderr.write('警告'); sys.exit(None)": (0, "", "警告"),
    }
    for body, (code, out, err) in cases.items():
        program = f"import sys\nfrom kpi.cli.usage import run_process\ndef command():\n    {body}\nrun_process(command)"
        done = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT)
        assert (done.returncode, done.stdout, done.stderr) == (code, out, err), body
    done = subprocess.run(
        [sys.executable, "-m", "kpi.cli", "score", "不存在.xlsx"], capture_output=True, text=True, cwd=ROOT
    )
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == "输入有误，共 1 处问题：\n  1. 文件「不存在.xlsx」：找不到文件\n"
