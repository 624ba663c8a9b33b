"""kpi.disk: a text file on disk is bounded by its lines, counted without keeping its bytes."""

from kpi.disk import read_capped


def _bounds(rows: int, run: int) -> tuple:
    return (rows, rows + 20, run, lambda head: head.startswith(b"PK"))


def test_lines_are_counted_across_the_mebibyte_steps_of_a_mapped_file(tmp_path):
    path = tmp_path / "明细.csv"
    line = b"x" * 99 + b"\n"  # 100 bytes: 31,458 lines over 3 MiB, some of them across a step
    body = line * 31_458
    path.write_bytes(body)
    data, problem = read_capped(path, "明细.csv", 0, "", _bounds(31_438, 2**20))
    assert (data, problem) == (body, None)
    data, problem = read_capped(path, "明细.csv", 0, "", _bounds(31_437, 2**20))
    assert data is None
    assert str(problem) == (
        "文件「明细.csv」：明细文件行数过多（上限 31,437 行）：发现「31,458 行以上」，应为一个月的明细"
        "（上限可用命令行选项 --max-rows 或看板的环境变量 KPI_MAX_ROWS 调高）"
    )


def test_a_line_longer_than_allowed_is_caught_where_a_step_ends_inside_it(tmp_path):
    path = tmp_path / "明细.csv"
    path.write_bytes(b"a,b\n" + b"y" * (2**20 + 10) + b"\nz\n")  # the first step ends inside the long line
    data, problem = read_capped(path, "明细.csv", 0, "", _bounds(100, 2**20 - 10))
    assert data is None
    assert problem.message == "有一行过长（超过 1,048,566 字节）"
    assert read_capped(path, "明细.csv", 0, "", _bounds(100, 2**20))[1] is None


def test_an_empty_file_and_a_utf16_file_are_counted_too(tmp_path):
    empty = tmp_path / "空.csv"
    empty.write_bytes(b"")
    assert read_capped(empty, "空.csv", 0, "", _bounds(10, 100)) == (b"", None)
    wide = tmp_path / "宽.csv"
    text = ("a,b\n" + "1,2\n" * 30).encode("utf-16")  # two-byte line breaks: counted as read
    wide.write_bytes(text)
    assert read_capped(wide, "宽.csv", 0, "", _bounds(11, 100)) == (text, None)
    assert read_capped(wide, "宽.csv", 0, "", _bounds(10, 100))[1].message == "明细文件行数过多（上限 10 行）"


def test_a_text_file_over_head_only_comes_as_its_head_with_every_byte_checked_to_be_utf8(
    tmp_path, monkeypatch
):
    import kpi.disk as disk

    monkeypatch.setattr(disk, "HEAD_ONLY", 1000)
    step = 2**20
    # a three-byte character across the first step's end, a line longer than a step: still UTF-8
    line = "号".encode() + b"x" * 96 + b"\n"  # 100 bytes
    body = b"a,b\n" + b"x" * (step - 5) + "号".encode() + b"\n" + b"y" * (step + 5) + b"\n" + line * 20_000
    assert body[step - 1 : step + 2] == "号".encode()  # the first step ends inside a character
    path = tmp_path / "明细.csv"
    path.write_bytes(body)
    data, problem = read_capped(path, "明细.csv", 0, "", _bounds(100_000, 2 * step))
    assert problem is None and isinstance(data, disk.TextHead)
    assert (data.data, data.size, data.utf8) == (body[: disk.TEXT_HEAD], len(body), True)
    # a byte that is no UTF-8 far past the head (GB18030 text, say): the head says so
    late = body + "华信客服\n".encode("gb18030")
    path.write_bytes(late)
    data, _ = read_capped(path, "明细.csv", 0, "", _bounds(100_000, 2 * step))
    assert (data.size, data.utf8) == (len(late), False)
    # at most HEAD_ONLY bytes: the bytes themselves, as before
    monkeypatch.setattr(disk, "HEAD_ONLY", len(late))
    assert read_capped(path, "明细.csv", 0, "", _bounds(100_000, 2 * step)) == (late, None)
