"""The summary sheet 月度指标: its header rules and the reader that validates each row into a
`VendorMonth` record (figures as exact numbers), every bad cell a located `Problem`.

Takes the tables `kpi.files` read; hands on `VendorMonth` records for scoring.
"""
