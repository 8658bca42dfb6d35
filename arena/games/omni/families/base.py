"""What a task family is, the registry that holds them, and how a task spec is named and validated.

A family is one small module that subclasses :class:`Family` and decorates it with :func:`register`; the
curriculum never imports a family by name, it asks the registry. Everything here is pure and deterministic:
the same params and seed give the same prompt and answer on any machine (``random.Random`` seeded by a
string is stable across platforms and Python versions), so a task can be regenerated from its log line.

A task's id is the canonical JSON of family and validated params (sorted keys, no spaces, defaults filled),
so the same task proposed twice, with keys in another order or a default left out, keys the same caches,
histories and log lines.
"""

from __future__ import annotations

import json
import random
import re
import string
from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

Tag = Literal["interesting", "boring", "impossible"]
MAX_SPEC_CHARS = 2000  # a spec is a family name and a few params; anything longer is a mistake or an attack
MAX_ANSWER_CHARS = 20_000  # longer replies fail unread: verifiers scan text with regular expressions


class Params(BaseModel):
    """Base of every family's parameter schema: unknown keys are an error, the model cannot be changed."""

    model_config = ConfigDict(extra="forbid", frozen=True)


@dataclass(frozen=True)
class TaskSpec:
    """A validated (family, params) pair; ``params`` holds every field, defaults filled, as plain JSON."""

    family: str
    params: dict[str, Any]

    @cached_property
    def id(self) -> str:
        return task_id(self.family, self.params)


@dataclass(frozen=True)
class Task:
    """One generated instance: what the learner is shown and the hidden answer the verifier checks."""

    spec: TaskSpec
    seed: int
    prompt: str
    answer: str
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return self.spec.id


def task_id(family: str, params: dict[str, Any]) -> str:
    """The canonical name of a task: ``{"family":...,"params":{...}}`` with sorted keys and no spaces."""
    return json.dumps({"family": family, "params": params}, sort_keys=True, separators=(",", ":"))


def last_token(text: Any, pattern: str = r"-?\d+") -> str | None:
    """The last match of ``pattern`` in ``text`` (models often restate the question before answering)."""
    if not isinstance(text, str):
        return None
    found = re.findall(pattern, text)
    return found[-1] if found else None


def random_word(rng: random.Random, length: int, letters: str = string.ascii_lowercase) -> str:
    """``length`` letters drawn from ``letters`` with ``rng``: the same word for the same seed everywhere."""
    return "".join(rng.choice(letters) for _ in range(length))


def answer_line(text: Any) -> str:
    """The text after the last ``ANSWER:`` marker if there is one, else the whole text, stripped."""
    if not isinstance(text, str):
        return ""
    marker = text.rfind("ANSWER:")
    return (text[marker + len("ANSWER:"):] if marker >= 0 else text).strip()


class Family(ABC):
    """A family of tasks: a parameter schema, a generator, a verifier and what the curriculum needs to know.

    Subclasses set ``name``, ``params_model`` and ``summary`` and implement :meth:`make` and
    :meth:`variants`; the rest has defaults. ``tag`` is ground truth for the oracle and the tests only: no
    strategy reads it. ``difficulty`` is a hint for the simulated learner (practice episodes to reach 50%).
    """

    name: ClassVar[str]
    params_model: ClassVar[type[Params]]
    summary: ClassVar[str]
    #: in the standard task set (the benchmark's); the families that wrap other games are opt-in
    standard: ClassVar[bool] = True

    @abstractmethod
    def make(self, params: Any, rng: random.Random) -> tuple[str, str, dict[str, Any]]:
        """Prompt, answer and any extra the verifier needs, from validated params and a seeded rng."""

    @abstractmethod
    def variants(self) -> list[dict[str, Any]]:
        """The family's standard task set (params dicts), in a fixed order."""

    def check(self, task: Task, answer_text: str) -> bool:
        """Whether ``answer_text`` answers ``task``; default: the answer line equals the answer, case-folded."""
        return answer_line(answer_text).casefold() == task.answer.casefold()

    def describe(self, params: Any) -> str:
        """One line a judge or a log reader understands; default: the summary and the params."""
        shown = ", ".join(f"{k}={v}" for k, v in params.model_dump().items())
        return f"{self.summary} ({shown})" if shown else self.summary

    def random_baseline(self, params: Any) -> float:
        """The success probability of a random answer, used to normalise success; default 0."""
        return 0.0

    def tag(self, params: Any) -> Tag:
        """Ground truth for the oracle and tests: interesting, a boring variant, or impossible."""
        return "interesting"

    def near(self, a: Any, b: Any) -> bool:
        """Whether two params of this family are near-identical practice (the scripted judge's notion)."""
        return a == b

    def difficulty(self, params: Any) -> float:
        """Practice episodes the simulated learner needs to reach 50% success; 0 means never learnable."""
        return 10.0

    def unavailable(self, params: Any) -> str | None:
        """Why tasks of these params cannot be made on this machine (a file they need is missing), else None.
        A spec it refuses is invalid with that reason, so a scenario naming it fails to load in one line."""
        return None

    # The public, never-raising surface the curriculum calls.

    def parse(self, params: dict[str, Any]) -> Any:
        """Validated params model; raises ``ValidationError`` (callers go through :func:`validate_spec`)."""
        return self.params_model.model_validate(params)

    def generate(self, spec: TaskSpec, seed: int) -> Task:
        """A task instance of ``spec``, the same for the same (spec, seed) everywhere."""
        rng = random.Random(f"{spec.id}#{seed}")
        prompt, answer, extra = self.make(self.parse(spec.params), rng)
        return Task(spec=spec, seed=seed, prompt=prompt, answer=answer, extra=extra)

    def verify(self, task: Task, answer_text: Any) -> bool:
        """Whether the learner's text answers the task; a malformed answer is False, never an exception."""
        if not isinstance(answer_text, str) or len(answer_text) > MAX_ANSWER_CHARS:
            return False
        try:
            return bool(self.check(task, answer_text))
        except Exception:  # noqa: BLE001 - a learner's text must never crash the env
            return False


REGISTRY: dict[str, Family] = {}


def register(cls: type[Family]) -> type[Family]:
    """Class decorator: put one instance of the family in :data:`REGISTRY` under its name."""
    if cls.name in REGISTRY:
        raise ValueError(f"task family {cls.name!r} registered twice")
    REGISTRY[cls.name] = cls()
    return cls


def get_family(name: str) -> Family:
    """The registered family ``name``; ``KeyError`` naming the known ones otherwise."""
    try:
        return REGISTRY[name]
    except KeyError:
        raise KeyError(f"unknown task family {name!r}; known: {', '.join(sorted(REGISTRY))}") from None


@dataclass(frozen=True)
class SpecCheck:
    """The outcome of validating a spec: the spec, or None and the reason (one line) it was refused."""

    spec: TaskSpec | None
    reason: str = ""

    @property
    def ok(self) -> bool:
        return self.spec is not None


def _pydantic_reason(err: ValidationError) -> str:
    first = err.errors()[0]
    where = ".".join(str(p) for p in first.get("loc", ())) or "params"
    more = f" (and {err.error_count() - 1} more)" if err.error_count() > 1 else ""
    return f"params.{where}: {first.get('msg', 'invalid')}{more}"


def validate_spec(spec: Any) -> SpecCheck:
    """Check a proposed spec (JSON text or a dict ``{"family": ..., "params": {...}}``); never raises.

    A teacher model writes these, so everything is expected: not JSON, not an object, unknown keys, an
    unknown family, params of the wrong type or out of range, a megabyte of text. The reason names the
    field, so it can go back to the proposer and into the log.
    """
    try:
        if isinstance(spec, str):
            if len(spec) > MAX_SPEC_CHARS:
                return SpecCheck(None, f"spec is {len(spec)} characters; at most {MAX_SPEC_CHARS}")
            try:
                spec = json.loads(spec)
            except (json.JSONDecodeError, RecursionError) as err:
                head = " ".join(spec.split())[:60]  # what it was, for the log: a proposer's error, a prose reply
                why = getattr(err, "msg", "too deeply nested")
                return SpecCheck(None, f"spec is not JSON: {why}; it reads {head!r}")
        if not isinstance(spec, dict):
            return SpecCheck(None, f"spec must be a JSON object with family and params, not {type(spec).__name__}")
        unknown = sorted(set(spec) - {"family", "params"})
        if unknown:
            return SpecCheck(None, f"unknown key(s) {', '.join(map(str, unknown))}; a spec has family and params")
        name = spec.get("family")
        if not isinstance(name, str) or name not in REGISTRY:
            known = ", ".join(sorted(REGISTRY))
            return SpecCheck(None, f"family: unknown task family {str(name)[:60]!r}; known: {known}")
        params = spec.get("params", {})
        if not isinstance(params, dict):
            return SpecCheck(None, f"params must be an object, not {type(params).__name__}")
        family = REGISTRY[name]
        try:
            model = family.parse(params)
        except ValidationError as err:
            return SpecCheck(None, _pydantic_reason(err))
        missing = family.unavailable(model)
        if missing is not None:
            return SpecCheck(None, missing)
        return SpecCheck(TaskSpec(name, model.model_dump(mode="json")))
    except Exception as err:  # noqa: BLE001 - validation is a boundary: the reason, never a crash
        return SpecCheck(None, f"spec could not be read: {type(err).__name__}")


def spec_of(family: str, **params: Any) -> TaskSpec:
    """A spec from code (tests, task sets); raises ``ValueError`` with the reason when invalid."""
    checked = validate_spec({"family": family, "params": params})
    if checked.spec is None:
        raise ValueError(checked.reason)
    return checked.spec
