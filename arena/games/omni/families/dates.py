"""Interesting: date arithmetic (a date N days later, the weekday of a date, days between two dates)."""

from __future__ import annotations

import datetime as dt
import random
import re
from typing import Any, Literal

from arena.games.omni.families.base import Family, Params, Task, answer_line, last_token, register

_DIFFICULTY = {"add_days": 14.0, "weekday": 18.0, "days_between": 16.0}
_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


class DatesParams(Params):
    op: Literal["add_days", "weekday", "days_between"] = "add_days"


def _day(rng: random.Random) -> dt.date:
    return dt.date(2000, 1, 1) + dt.timedelta(days=rng.randint(0, 365 * 30))


@register
class Dates(Family):
    """Calendar questions with one exact answer: an ISO date, a weekday name, or a number of days."""

    name = "dates"
    params_model = DatesParams
    summary = "Date arithmetic"

    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        start = _day(rng)
        if params.op == "add_days":
            n = rng.randint(1, 400)
            return (f"What date is {n} days after {start.isoformat()}? Reply YYYY-MM-DD after ANSWER:",
                    (start + dt.timedelta(days=n)).isoformat(), {})
        if params.op == "weekday":
            return (f"What day of the week was {start.isoformat()}? Reply with the day after ANSWER:",
                    _DAYS[start.weekday()], {})
        end = start + dt.timedelta(days=rng.randint(1, 1000))
        return (f"How many days are there from {start.isoformat()} to {end.isoformat()}? Reply after ANSWER:",
                str((end - start).days), {})

    def check(self, task: Task, answer_text: str) -> bool:
        line = answer_line(answer_text).casefold()
        if task.spec.params["op"] == "add_days":
            return last_token(line, r"\d{4}-\d{2}-\d{2}") == task.answer
        if task.spec.params["op"] == "weekday":
            said = re.findall("|".join(_DAYS), line)
            return bool(said) and said[-1] == task.answer
        return last_token(line.replace(",", "")) == task.answer

    def variants(self) -> list[dict[str, Any]]:
        return [{"op": op} for op in _DIFFICULTY]

    def describe(self, params: Any) -> str:
        return {"add_days": "Find the date a number of days after a date", "weekday": "Name the weekday of a date",
                "days_between": "Count the days between two dates"}[params.op]

    def near(self, a: Any, b: Any) -> bool:
        return a.op == b.op

    def difficulty(self, params: Any) -> float:
        return _DIFFICULTY[params.op]
