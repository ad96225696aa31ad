"""The journal's own record types (beside the domain's events and commands).

A replay session records what it added to the bus; the recorded market data it replayed is not
copied again but referenced: a ``ReplaySpan`` says "records ``first`` .. ``first + count - 1`` of
the source journal (those matching the header's ``source_filter``) went through the bus here",
taking consecutive sequence numbers. ``JournalReader.records(resolve=True)`` expands spans back
into the source's events, so every reader sees the full session.
"""

from __future__ import annotations

import msgspec


class ReplaySpan(msgspec.Struct, frozen=True, tag=True):
    first: int  # index of the first source record
    count: int  # source records covered (only those passing the source filter were published)
    published: int  # how many of them went onto the bus (= the sequence numbers this span takes)
    ts: int


class ReplayControl(msgspec.Struct, frozen=True, tag=True):
    """A transport action of the trader during a replay (pause, resume, speed, step, seek)."""

    ts: int
    action: str
    value: str = ""


class ReplayBranch(msgspec.Struct, frozen=True, tag=True):
    """A ``--paper`` replay went back to ``target_ns`` (standing before source record
    ``target_record``) and discarded the paper trades it had made after it: this journal's
    records from sequence number ``first_seq`` (the first own-trading record after the target)
    up to this record are the discarded branch. They stay in the file; nothing replays them.
    ``orders``/``fills``: how many orders had records in it, how many fills it held."""

    ts: int
    target_ns: int
    target_record: int
    first_seq: int
    orders: int
    fills: int
