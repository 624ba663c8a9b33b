"""The `kpi` command: a thin click layer over the library (`kpi.pipeline` and the reports), with its
usage messages in Chinese. Exit codes: 0 ok, 1 invalid input, 2 usage.
"""
