"""Turn a run log into training data: SFT examples, preference pairs, RL trajectories (JSON lines).

Three formats, each with a shipped JSON Schema (``arena/export/schemas/<name>.schema.json``, see
:func:`schema`), so a consumer can check a file without reading this code:

- ``sft``: one example per turn of a role, ``{"messages": [...], "meta": {...}}``: TRL's conversational
  language-modeling format (what ``SFTTrainer`` reads). The messages are the prompt the player's model
  was actually sent (the log's ``prompt``: its memory of earlier rounds and the critic's advice
  included), then the move as the assistant message. Scripted turns have no prompt and give no example.
- ``preference``: ``{"prompt", "chosen", "rejected", "meta"}``: TRL's conversational preference format
  (``DPOTrainer``). Two moves of one role in the same situation (same scenario, opponents and turn, and
  the same prompt once the memory is taken out), the move of the higher-reward match chosen. Pairs come
  from matches with the same seed (every feedback arm meets the same seeds) and from consecutive rounds
  of a series with feedback (before vs after the advice; not in the ``none`` arm). Ties give no pair.
- ``trajectories``: one match per line, every step with its role, observation, action, reward and the
  critic's feedback, for multi-agent RL. The log keeps each role's match reward, so rewards are sparse:
  a role's last turn carries it.

Why the ``meta`` key: every example says which run, match and turn it came from, so a trained model's
behaviour can be traced back to the games that taught it. TRL ignores columns it does not use.
"""

from __future__ import annotations

import json
import warnings
from collections import defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Literal

from arena.errors import ArenaError
from arena.runlog import RunlogWarning, read_header
from arena.runlog.stream import iter_records

Format = Literal["sft", "preference", "trajectories"]
FORMATS: tuple[str, ...] = ("sft", "preference", "trajectories")
SCHEMAS = Path(__file__).resolve().parent / "schemas"
_SCHEMA_FILE = {"sft": "sft", "preference": "preference", "trajectories": "trajectory"}

__all__ = ["FORMATS", "ExportError", "export", "preference", "schema", "sft", "trajectories"]


class ExportError(ArenaError):
    exit_code = 2


def schema(fmt: str) -> dict[str, Any]:
    """The shipped JSON Schema of one export format."""
    return json.loads((SCHEMAS / f"{_SCHEMA_FILE[fmt]}.schema.json").read_text(encoding="utf-8"))


def _ok(records: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
    """Matches that finished (an ``error`` match's rewards are zeros, not a result)."""
    return (r for r in records if r.get("status") == "ok")


def _messages(prompt: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [{"role": str(m["role"]), "content": str(m["content"])} for m in prompt]


def sft(records: Iterable[dict[str, Any]], role: str | None = None, min_reward: float | None = None,
        run_id: str = "") -> Iterator[dict[str, Any]]:
    """One example per logged LLM turn (of ``role``), from matches where that role earned ``min_reward``."""
    for record in _ok(records):
        for turn in record["transcript"]:
            who = turn["role"]
            reward = float(record["rewards"].get(who, 0.0))
            if (role and who != role) or not turn.get("prompt") or (min_reward is not None and reward < min_reward):
                continue
            yield {
                "messages": [*_messages(turn["prompt"]), {"role": "assistant", "content": turn["text"]}],
                "meta": {"run_id": run_id or record.get("run_id", ""), "match_id": record["match_id"],
                         "turn": turn["turn"], "role": who, "agent": turn["agent"],
                         "player_how": turn.get("player_how"), "reward": reward},
            }


def without_memory(prompt: list[dict[str, Any]], memory: str) -> list[dict[str, str]]:
    """The prompt with the player's memory text cut out: what the situation was, whatever was learnt."""
    out = _messages(prompt)
    if memory:
        for message in out:
            content = message["content"]
            message["content"] = content.replace("\n\n" + memory, "").replace(memory, "")
    return out


def preference(records: Iterable[dict[str, Any]], role: str | None = None, min_reward: float | None = None,
               run_id: str = "") -> Iterator[dict[str, Any]]:
    """Chosen/rejected pairs (see the module doc); ``min_reward`` bounds the chosen move's reward.

    Holds one small entry per LLM turn in memory (the groups), not the records.
    """
    groups: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in _ok(records):
        for turn in record["transcript"]:
            who = turn["role"]
            if (role and who != role) or not turn.get("prompt"):
                continue
            prompt = without_memory(turn["prompt"], (record.get("memory_before") or {}).get(who, ""))
            opponents = sorted((r, a) for r, a in record["agents"].items() if r != who)
            key = json.dumps([record["scenario"], who, opponents, turn["turn"], prompt], sort_keys=True)
            groups[key].append({"prompt": prompt, "text": turn["text"], "reward": float(record["rewards"][who]),
                                "match": record["match_id"], "seed": record["seed"], "series": record["series_id"],
                                "round": record["round"], "arm": record["arm"], "role": who, "turn": turn["turn"]})
    for members in groups.values():
        for a, b in _pairs(members):
            best, worst = (a, b) if a["reward"] > b["reward"] else (b, a)
            if best["text"] == worst["text"] or (min_reward is not None and best["reward"] < min_reward):
                continue
            kind = "same_seed" if a["seed"] == b["seed"] else "before_after_feedback"
            yield {
                "prompt": best["prompt"],
                "chosen": [{"role": "assistant", "content": best["text"]}],
                "rejected": [{"role": "assistant", "content": worst["text"]}],
                "meta": {"run_id": run_id, "role": best["role"], "turn": best["turn"], "kind": kind,
                         "chosen_match": best["match"], "rejected_match": worst["match"],
                         "chosen_reward": best["reward"], "rejected_reward": worst["reward"]},
            }


def _pairs(members: list[dict[str, Any]]) -> Iterator[tuple[dict[str, Any], dict[str, Any]]]:
    """Same seed (different arms or cards), or rounds r and r+1 of a series that got feedback between them
    (arm other than ``none``); unequal rewards only."""
    for i, a in enumerate(members):
        for b in members[i + 1:]:
            if a["reward"] == b["reward"]:
                continue
            same_seed = a["seed"] == b["seed"]
            consecutive = a["series"] == b["series"] and abs(a["round"] - b["round"]) == 1 and a["arm"] != "none"
            if same_seed or consecutive:
                yield a, b


def trajectories(records: Iterable[dict[str, Any]], role: str | None = None, min_reward: float | None = None,
                 run_id: str = "") -> Iterator[dict[str, Any]]:
    """One episode per finished match; ``min_reward`` keeps matches where ``role`` (or every role) reached it."""
    for record in _ok(records):
        rewards = {r: float(v) for r, v in record["rewards"].items()}
        judged = [rewards.get(role, 0.0)] if role else list(rewards.values())
        if min_reward is not None and any(v < min_reward for v in judged):
            continue
        transcript = record["transcript"]
        last = {t["role"]: t["turn"] for t in transcript}
        steps = []
        for i, turn in enumerate(transcript):
            who = turn["role"]
            step: dict[str, Any] = {
                "turn": turn["turn"], "role": who, "agent": turn["agent"], "observation": turn.get("prompt"),
                "action": turn["text"], "player_how": turn.get("player_how"),
                "reward": rewards.get(who, 0.0) if last[who] == turn["turn"] else 0.0,
                "done": i == len(transcript) - 1, "payload": turn.get("payload", {}),
            }
            if turn.get("feedback"):
                step["feedback"] = turn["feedback"]
            steps.append(step)
        yield {
            "run_id": run_id or record.get("run_id", ""), "match_id": record["match_id"],
            "series_id": record["series_id"], "scenario": record["scenario"], "game": record["game"],
            "arm": record["arm"], "round": record["round"], "seed": record["seed"], "agents": record["agents"],
            "outcome": record["outcome"], "returns": rewards, "steps": steps,
            "feedback": record.get("feedback") or {}, "memory_before": record.get("memory_before") or {},
        }


_MAKERS = {"sft": sft, "preference": preference, "trajectories": trajectories}


def export(run_dir: Path, fmt: str, out: Path, *, role: str | None = None, min_reward: float | None = None) -> int:
    """Write ``fmt`` examples of the run to ``out`` (JSON lines); returns how many were written.

    Streams: records are read one at a time through the log's offset index (``sft`` and ``trajectories``
    hold one record; ``preference`` holds one small entry per LLM turn to find the pairs).
    """
    if fmt not in _MAKERS:
        raise ExportError(f"--format {fmt!r}: use one of {', '.join(FORMATS)}")
    header = read_header(run_dir)
    records = iter_records(run_dir, on_problem=lambda m: warnings.warn(m, RunlogWarning, stacklevel=2))
    roles = set(header["config"].get("players", {}))
    if role and roles and role not in roles:
        raise ExportError(f"--role {role!r}: the run's roles are {', '.join(sorted(roles))}")
    count = 0
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out, "w", encoding="utf-8") as fh:
        for example in _MAKERS[fmt](records, role, min_reward, run_id=header["run_id"]):
            fh.write(json.dumps(example, ensure_ascii=False) + "\n")
            count += 1
    return count
