"""The `kpi` command: a thin click layer over the library (`kpi.pipeline` and the reports), with its
usage messages in Chinese. Exit codes: 0 ok, 1 invalid input, 2 usage.
"""

import os
import sys

# Arrow's jemalloc (kpi.cli.usage.lean_arrow_memory) asks for transparent huge pages (2 MiB, where
# the kernel gives them on request, `madvise`), as numpy does for its large arrays: a fresh page is
# then one fault in 512. 5M-row month, medians of 4 and 5 interleaved runs: 0.1–0.3 s less system
# time, 0.3–0.8 s less wall time, peak ~60 MiB higher (benchmarks/RESULTS.md, issue 11 session 8).
# jemalloc reads its settings as pyarrow is loaded, so this is set before anything of the command
# imports it; a setting the user gave is kept. Linux only: elsewhere jemalloc has no such option
# (and would say so). The dashboard does not import kpi.cli: its process is left as it is.
JEMALLOC_CONF = "JE_ARROW_MALLOC_CONF"  # pyarrow's jemalloc is built with the je_arrow_ prefix
if sys.platform.startswith("linux"):
    os.environ.setdefault(JEMALLOC_CONF, "thp:always")
