"""Getting tables out of files safely: the format decided from the bytes, hostile files (zip bombs,
XML entities, encrypted workbooks, oversized sheets) refused unread, then .xlsx/.xls/.csv read into
plain rows of cells with their Excel row numbers, and single cells parsed exactly.

Takes a path or bytes; hands on `RawSheet`s/`Table`s and located `Problem`s. Knows nothing of which
sheet means what: that is `kpi.summary` and `kpi.detail`.
"""
