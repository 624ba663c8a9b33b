"""Source profiles: how to read one call platform's export (a TOML file, or a built-in by name).

A profile maps our 话务明细 columns to the file's headers (`[source.columns]`), the file's values to
ours (`[source.values.<our column>]`), and says how times are written (`time_format`, `timezone`),
how fields are separated (`delimiter`) and how text is encoded (`encoding`). Built-in profiles
(kpi/detail/sources/*.toml) may also name a `layout` that first turns an event log or a leg-per-row
CDR into one row per queue entry (kpi.detail.platforms). Problems in a profile are located errors.

Longer than ~250 lines because every key is checked where it is read, each with its own located
message, beside the record it builds; `ReadOptions` (profile + the rulebook's zone and skew) sits here
as what every reader takes.
"""

from __future__ import annotations

import re
import tomllib
import zoneinfo
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

from kpi.detail.columns import CALLS, TableSpec, header_key
from kpi.detail.times import TimeReading
from kpi.errors import InputError, Problem
from kpi.files.safety import DEFAULT_LIMITS, Limits

DELIMITERS = {"auto": "", ",": ",", "\t": "\t", ";": ";", "|": "|"}
ENCODINGS = ("auto", "utf-8", "utf-16", "gb18030")
LAYOUTS = ("table", "asterisk-queue-log", "asterisk-cdr")
TIME_WORDS = ("auto", "epoch_s", "epoch_ms")
KEYS = {
    "label": str,
    "timezone": str,
    "time_format": str,
    "delimiter": str,
    "encoding": str,
    "description": str,
    "layout": str,
    "fields": list,
    "connected_if_answered": bool,
    "columns": dict,
    "values": dict,
}


MAX_BYTES = 1_000_000  # a profile is a few lines; anything bigger is not one


class SourceError(InputError):
    """The source profile is broken; `problems` say where."""


@dataclass(frozen=True)
class SourceProfile:
    """How to read one platform's call export."""

    name: str
    label: str
    timezone: str = "Asia/Shanghai"  # zone of times without an offset, and of epoch times
    time_format: str = "auto"  # "auto" | "epoch_s" | "epoch_ms" | a strftime pattern
    delimiter: str = ""  # "" = detect
    encoding: str = "auto"
    columns: tuple[tuple[str, str], ...] = ()  # (our key, the file's header)
    values: tuple[tuple[str, tuple[tuple[str, tuple[str, ...]], ...]], ...] = ()  # key → (ours, file's)
    fields: tuple[str, ...] = ()  # the file's column names when it has no header line
    layout: str = "table"
    connected_if_answered: bool = False  # connected = the answer time is there
    description: str = ""

    @property
    def is_epoch(self) -> bool:
        return self.time_format in ("epoch_s", "epoch_ms")

    def value_map(self, key: str) -> dict[str, str] | None:
        """The file's value → ours, for one of our columns (None when the profile maps none)."""
        for our_key, pairs in self.values:
            if our_key == key:
                return {file_value: ours for ours, file_values in pairs for file_value in file_values}
        return None

    def headers(self) -> dict[str, str]:
        """Our key → the file's header."""
        return dict(self.columns)


def _our_key(header: str) -> str | None:
    wanted = header_key(header)
    for key, aliases in CALLS.columns.items():
        if any(header_key(a) == wanted for a in aliases):
            return key
    return None


BARE_KEY = re.compile(r"^([ \t]*)([^\s\"'#\[=,\]][^=\"'\n#]*?)([ \t]*=)", re.M)
TABLE_PART = re.compile(r"^([ \t]*\[[^\]\"'\n]*?)\.([^.\]\"'\s]*[^\x00-\x7f][^.\]\"'\s]*)(\s*\])", re.M)


def quote_bare_keys(text: str) -> str:
    """Chinese keys written bare (主叫号码 = "主叫", [source.values.是否接通]), as TOML 1.1 allows and
    Python's TOML 1.0 reader does not, quoted so that it reads them."""
    text = BARE_KEY.sub(lambda m: m[0] if m[2].isascii() else f'{m[1]}"{m[2]}"{m[3]}', text)
    return TABLE_PART.sub(lambda m: f'{m[1]}."{m[2]}"{m[3]}', text)


def parse_source(text: str, name: str) -> SourceProfile:
    """A profile from TOML text; SourceError naming every problem."""
    try:
        data = tomllib.loads(quote_bare_keys(text))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError([Problem(f"来源配置的 TOML 语法错误：{exc}", file=name)]) from None
    problems: list[Problem] = []

    def bad(key: str, message: str, value: object = "", expected: str = "") -> None:
        problems.append(Problem(message, file=name, key=key, value=str(value), expected=expected))

    section = data.get("source")
    if set(data) - {"source"} or not isinstance(section, dict):
        bad("source", "来源配置应只有一个 [source] 表", "、".join(sorted(data)), "[source]")
        raise SourceError(problems)
    for key, value in section.items():
        kind = KEYS.get(key)
        if kind is None:
            bad(f"source.{key}", "来源配置没有这个键", key, "、".join(KEYS))
        elif not isinstance(value, kind):
            bad(
                f"source.{key}",
                "来源配置的值类型不对",
                value,
                {str: "文本", list: "列表", bool: "true/false", dict: "表"}[kind],
            )
    if problems:
        raise SourceError(problems)
    zone = section.get("timezone", "Asia/Shanghai")
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        bad("source.timezone", "不认识的时区", zone, "IANA 时区名，如 Asia/Shanghai")
    fmt = section.get("time_format", "auto")
    if fmt not in TIME_WORDS and "%" not in fmt:
        bad(
            "source.time_format",
            "不认识的时间格式",
            fmt,
            "auto、epoch_s、epoch_ms 或 strftime 格式（如 %Y/%m/%d %H:%M:%S）",
        )
    delimiter = section.get("delimiter", "auto")
    if delimiter not in DELIMITERS:
        bad("source.delimiter", "不支持的分隔符", repr(delimiter), '"auto"、","、"\\t"、";" 或 "|"')
    encoding = section.get("encoding", "auto").lower().replace("_", "-")
    if encoding not in ENCODINGS:
        bad("source.encoding", "不支持的编码", encoding, "auto、utf-8、utf-16 或 gb18030")
    layout = section.get("layout", "table")
    if layout not in LAYOUTS:
        bad("source.layout", "不认识的文件结构", layout, "、".join(LAYOUTS))
    fields = section.get("fields", [])
    if not all(isinstance(f, str) and f for f in fields):
        bad("source.fields", "fields 应为表头文字的列表", fields)
    columns = []
    for ours, theirs in section.get("columns", {}).items():
        key = _our_key(ours)
        if key is None:
            bad(
                f"source.columns.{ours}",
                "话务明细没有这一列",
                ours,
                "、".join(a[0] for a in CALLS.columns.values()),
            )
        elif not isinstance(theirs, str) or not theirs.strip():
            bad(f"source.columns.{ours}", "应写文件里的表头文字", theirs)
        else:
            columns.append((key, theirs.strip()))
    values = []
    for ours, table in section.get("values", {}).items():
        key = _our_key(ours)
        path = f"source.values.{ours}"
        if key is None:
            bad(path, "话务明细没有这一列", ours)
            continue
        if not isinstance(table, dict) or not all(
            isinstance(v, list) and all(isinstance(i, str) for i in v) for v in table.values()
        ):
            bad(path, "应写成 我们的值 = [文件里的值, …]", table)
            continue
        seen: dict[str, str] = {}
        for our_value, file_values in table.items():
            for v in file_values:
                if v in seen and seen[v] != our_value:
                    bad(path, "同一个文件值对应了两个值", v, f"只对应「{seen[v]}」或「{our_value}」之一")
                seen[v] = our_value
        values.append((key, tuple((k, tuple(v)) for k, v in table.items())))
    if problems:
        raise SourceError(problems)
    return SourceProfile(
        name=name,
        label=section.get("label", name),
        timezone=zone,
        time_format=fmt,
        delimiter=DELIMITERS[delimiter],
        encoding=encoding,
        columns=tuple(columns),
        values=tuple(values),
        fields=tuple(fields),
        layout=layout,
        connected_if_answered=section.get("connected_if_answered", False),
        description=section.get("description", ""),
    )


def builtin_names() -> list[str]:
    """Names of the built-in profiles (kpi/detail/sources/<name>.toml)."""
    folder = resources.files("kpi.detail.sources")
    return sorted(p.name.removesuffix(".toml") for p in folder.iterdir() if p.name.endswith(".toml"))


def builtin_profiles() -> list[SourceProfile]:
    return [load_source(name) for name in builtin_names()]


def load_source(spec: str | Path) -> SourceProfile:
    """A built-in profile by name, or a profile TOML file by path; SourceError when it is broken."""
    if str(spec) in builtin_names():
        text = resources.files("kpi.detail.sources").joinpath(f"{spec}.toml").read_text("utf-8")
        return parse_source(text, str(spec))
    path = Path(spec)
    if path.exists() and not path.is_file():
        raise SourceError([Problem("来源配置不是普通文件", file=str(path), expected="TOML 文件")])
    try:
        with path.open("rb") as handle:
            raw = handle.read(MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise SourceError([Problem(f"来源配置文件过大（上限 {MAX_BYTES:,} 字节）", file=str(path))])
        text = raw.decode("utf-8-sig")
    except FileNotFoundError:
        raise SourceError(
            [
                Problem(
                    "找不到来源配置文件",
                    file=str(path),
                    expected=f"TOML 文件，或内置来源：{'、'.join(builtin_names())}",
                )
            ]
        ) from None
    except (UnicodeDecodeError, OSError) as exc:
        raise SourceError(
            [Problem(f"无法读取来源配置（应为 UTF-8 编码的 TOML 文件）：{exc}", file=str(path))]
        ) from None
    return parse_source(text, path.name)


@dataclass(frozen=True)
class ReadOptions:
    """What reading call detail needs besides the files: the source profile (None: our own headers),
    the rulebook's time zone, how far an answer may precede queue entry (clock skew), the limits
    of what a detail file may hold (rows, columns, line length), and whether the calls' 呼叫流水号
    are wanted. Without `call_ids` (a score, the per-agent table, the reconciliation: none shows
    them), a single CSV file's 呼叫流水号 column is read only when a row has no queue time (it may
    be a 合计 line, told by that column); the calls' `call_id` is then "". Several files keep them:
    the same call given in two files is told by its 呼叫流水号 (kpi.detail.duplicates)."""

    source: SourceProfile | None = None
    timezone: str = "Asia/Shanghai"
    clock_skew_seconds: int = 0
    limits: Limits = DEFAULT_LIMITS
    call_ids: bool = True

    def time_reading(self) -> TimeReading:
        if self.source is None:
            return TimeReading("auto", self.timezone, self.timezone)
        return TimeReading(self.source.time_format, self.source.timezone, self.timezone)


def calls_spec(profile: SourceProfile | None) -> TableSpec:
    """The 话务明细 columns as a profile names them: a mapped column is known only by the file's
    header (so messages name it as the file does); the rest keep our headers."""
    if profile is None:
        return CALLS
    mapped = profile.headers()
    columns = {key: (mapped[key],) if key in mapped else aliases for key, aliases in CALLS.columns.items()}
    required = tuple(k for k in CALLS.required if not (k == "connected" and profile.connected_if_answered))
    return replace(CALLS, columns=columns, required=required)
