"""One set of calls written the way each call platform exports it, and in our own 话务明细 headers,
for tests that read both and compare the per-agent figures.

A `Call` is one queue entry in Beijing time. Writers follow each platform's documented format:
Asterisk queue_log (`epoch|callid|queue|agent|event|data…`), Asterisk cdr_csv Master.csv (no header,
18 or 21 columns, one row per leg), FreeSWITCH mod_cdr_csv with mod_callcenter variables, and a
Chinese CTI 话单 (UTF-16 'Unicode text', tab-separated, epoch milliseconds, 通话标识 0 = 接通).
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

BEIJING = timezone(timedelta(hours=8))
VENDORS = {"A": "华信客服", "B": "联创呼叫"}


@dataclass(frozen=True)
class Call:
    caller: str
    queue: datetime  # naive, Beijing time
    agent: str = ""  # "" = not connected; else a key into the agent names, e.g. "301"
    wait: int = 20  # seconds from queue entry to answer
    talk: int = 180

    @property
    def answer(self) -> datetime | None:
        return self.queue + timedelta(seconds=self.wait) if self.agent else None

    @property
    def end(self) -> datetime:
        return (
            self.answer + timedelta(seconds=self.talk) if self.answer else self.queue + timedelta(seconds=40)
        )


AGENTS = {"301": "A", "302": "A", "401": "B", "402": "B"}


def sample_calls() -> list[Call]:
    """60 queue entries of June 2024 from 12 callers: repeats inside and outside 2 hours, abandoned
    calls (some of them re-entries), four agents of two vendors."""
    out = []
    start = datetime(2024, 6, 3, 9, 0, 0)
    for i in range(60):
        caller = f"1380000{(i // 3) % 12:04d}"
        queue = start + timedelta(minutes=37 * i + (i % 5) * 3)
        agent = "" if i % 4 == 3 else list(AGENTS)[i % 4 if i % 4 < 3 else 0] if i % 7 else "402"
        out.append(Call(caller, queue, agent, wait=15 + i % 9, talk=60 + 7 * i))
    return out


def epoch(moment: datetime) -> int:
    return int(moment.replace(tzinfo=BEIJING).timestamp())


def stamp(moment: datetime | None) -> str:
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else ""


def _csv(rows: list[list[object]], delimiter: str = ",", quoting: int = csv.QUOTE_MINIMAL) -> str:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter, quoting=quoting, lineterminator="\n").writerows(rows)
    return out.getvalue()


def roster_csv(name) -> bytes:
    """坐席名册 with each agent as the platform names it."""
    rows = [["坐席工号", "姓名", "外包公司", "上岗日期"]]
    rows += [[name(a), f"坐席{a}", VENDORS[v], "2023-01-01"] for a, v in AGENTS.items()]
    return _csv(rows).encode("utf-8")


def ours_csv(calls: list[Call], name) -> bytes:
    """The calls in our own 话务明细 headers, agents named as the platform names them."""
    rows = [
        ["呼叫流水号", "主叫号码", "入队时间", "是否接通", "接通时间", "结束时间", "坐席工号", "外包公司"]
    ]
    for i, c in enumerate(calls):
        agent = name(c.agent) if c.agent else ""
        vendor = VENDORS[AGENTS[c.agent]] if c.agent else ""
        rows.append(
            [
                f"c{i}",
                c.caller,
                stamp(c.queue),
                "是" if c.agent else "否",
                stamp(c.answer),
                stamp(c.end),
                agent,
                vendor,
            ]
        )
    return _csv(rows).encode("utf-8")


def queue_log(calls: list[Call]) -> bytes:
    """Asterisk queue_log lines in time order, with the non-call events a real log holds."""
    events: list[tuple[int, str]] = [(epoch(calls[0].queue) - 3600, "NONE|NONE|NONE|QUEUESTART|")]
    for a in AGENTS:
        events.append((epoch(calls[0].queue) - 600, f"NONE|support|SIP/{a}|ADDMEMBER|"))
    for i, c in enumerate(calls):
        uid = f"{epoch(c.queue)}.{i}"
        q = epoch(c.queue)
        events.append((q, f"{uid}|support|NONE|ENTERQUEUE||{c.caller}|1"))
        if c.agent:
            other = "302" if c.agent != "302" else "301"
            events.append((q + 5, f"{uid}|support|SIP/{other}|RINGNOANSWER|5000"))
            events.append((epoch(c.answer), f"{uid}|support|SIP/{c.agent}|CONNECT|{c.wait}|{uid}9|3"))
            end = "COMPLETEAGENT" if i % 2 else "COMPLETECALLER"
            if i % 10 == 1:
                events.append(
                    (
                        epoch(c.end),
                        f"{uid}|support|SIP/{c.agent}|BLINDTRANSFER|8000|from-internal|{c.wait}|{c.talk}|1",
                    )
                )
            else:
                events.append((epoch(c.end), f"{uid}|support|SIP/{c.agent}|{end}|{c.wait}|{c.talk}|1"))
        elif i % 8 == 3:
            events.append((epoch(c.end), f"{uid}|support|NONE|EXITWITHTIMEOUT|1|1|40"))
        else:
            events.append((epoch(c.end), f"{uid}|support|NONE|ABANDON|1|1|40"))
    events.sort(key=lambda e: e[0])
    return "".join(f"{t}|{text}\n" for t, text in events).encode("utf-8")


def master_csv(calls: list[Call], new_columns: bool = False) -> bytes:
    """Asterisk cdr_csv Master.csv: every field quoted, no header; a connected call has a leg that
    rang another agent unanswered and the answered leg; an IVR-only call that never queued."""
    rows = []
    for i, c in enumerate(calls):
        uid = f"{epoch(c.queue)}.{i}"
        caller = f"+86{c.caller}" if i % 3 == 0 else c.caller
        base = ["", caller, "8000", "from-pstn", f'"" <{caller}>', f"SIP/trunk-{i:08x}"]

        def leg(dst, start, answer, end, disposition, base=base, uid=uid) -> list:  # noqa: ANN001
            billsec = int((end - answer).total_seconds()) if answer else 0
            row = [*base, dst, "Queue", "support,t", stamp(start), stamp(answer), stamp(end),
                   int((end - start).total_seconds()), billsec, disposition, "DOCUMENTATION", uid, ""]  # fmt: skip
            return row + (["", uid, str(len(rows))] if new_columns else [])

        other = "302" if c.agent != "302" else "301"
        rows.append(
            leg(f"SIP/{other}-{i + 4096:08x}", c.queue, None, c.queue + timedelta(seconds=5), "NO ANSWER")
        )
        if c.agent:
            rows.append(
                leg(
                    f"SIP/{c.agent}-{i + 8192:08x}",
                    c.queue + timedelta(seconds=5),
                    c.answer,
                    c.end,
                    "ANSWERED",
                )
            )
    ivr = [*rows[0][:6], "", "Playback", "welcome", stamp(calls[0].queue), stamp(calls[0].queue), stamp(calls[0].queue),
           0, 0, "ANSWERED", "DOCUMENTATION", "99.1", ""] + (["", "99.1", "0"] if new_columns else [])  # fmt: skip
    rows.append(ivr)
    return _csv(rows, quoting=csv.QUOTE_ALL).encode("utf-8")


def freeswitch_csv(calls: list[Call]) -> bytes:
    """mod_cdr_csv with the template of docs/sources/freeswitch-cc.md: quoted, no header."""
    rows = []
    for i, c in enumerate(calls):
        answered = epoch(c.answer) if c.answer else ""
        ended = epoch(c.end) if c.answer else ""
        cause, reason = ("answered", "") if c.agent else ("cancel", "TIMEOUT" if i % 2 else "NONE")
        agent = f"{c.agent}@default" if c.agent else ""
        rows.append(
            [f"uuid-{i}", c.caller, "support@default", agent, epoch(c.queue), answered, ended, cause, reason]
        )
    return _csv(rows, quoting=csv.QUOTE_ALL).encode("utf-8")


CTI_PROFILE = """
[source]
label = "某呼叫平台话单"
timezone = "Asia/Shanghai"
time_format = "epoch_ms"
delimiter = "auto"
encoding = "auto"
[source.columns]
呼叫流水号 = "话单编号"
主叫号码 = "主叫"
入队时间 = "进入技能组时间"
接通时间 = "振铃时间"
结束时间 = "挂机时间"
坐席工号 = "坐席"
是否接通 = "通话标识"
[source.values.是否接通]
是 = ["0"]
否 = ["1", "2", "3"]
"""


def cti_export(calls: list[Call]) -> bytes:
    """Excel's 'Unicode text': UTF-16 with BOM, tab-separated, CRLF; epoch milliseconds; 通话标识 0 =
    接通, 1/2/3 = not; no vendor column; callers sometimes as 0086…/0…"""
    rows = [["话单编号", "主叫", "被叫", "进入技能组时间", "振铃时间", "挂机时间", "坐席", "通话标识"]]
    for i, c in enumerate(calls):
        caller = {0: f"0086{c.caller}", 1: f"0{c.caller}"}.get(i % 5, c.caller)
        ms = lambda m: str(epoch(m) * 1000 + 123) if m else ""  # noqa: E731
        flag = "0" if c.agent else str(1 + i % 3)
        rows.append(
            [
                f"S{i:05d}",
                caller,
                "10086",
                ms(c.queue),
                ms(c.answer),
                ms(c.end),
                f"GH{c.agent}" if c.agent else "",
                flag,
            ]
        )
    text = "\r\n".join("\t".join(r) for r in rows) + "\r\n"
    return text.encode("utf-16")
