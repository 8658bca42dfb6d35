"""Duplicate-style ratings: agents of one role compared on the same board, fitted with Bradley-Terry.

Why duplicate, as in duplicate bridge: an agent's reward depends on the opponent it met and the scenario's
luck as much as on the agent. Two agents of the same role that met the same opponents on the same
scenario, arm, repeat and round are compared on reward alone (higher wins; equal is a draw), so what is
left is what each achieved with the same cards. An agent that never reaches agreement (reward 0) then
loses to one that does on fair terms against the same opponent, instead of "drawing" its way up the table.

- **Board** (the resampling unit): per game and role, the series that share scenario, arm, repeat and
  the other roles' agents, one per agent of the role. Its comparisons (every pair of its agents, every
  round) stay together, because the rounds of a series share a memory and are not independent.
- **The key holds the round's ``seed`` too.** Series seeds derive from scenario and repeat only
  (:func:`arena.schedule.plan`), so every pairing meets the same seeds and two agents compared on a board
  round played the same cards: true duplicates. Keying on the seed as well keeps a comparison honest
  where that does not hold: logs written before that change (seeds that also depended on the pairing)
  give no comparisons, and their agents no rating, rather than comparisons across different seeds.
- **Model**: Bradley-Terry, P(i beats j) = 1 / (1 + exp(s_j - s_i)), fitted by maximum likelihood
  (``scipy.optimize.minimize``, trust-exact with the analytic gradient and Hessian; the bootstrap's
  refits use the same Newton steps batched in numpy). A draw counts as half a win for each side: it says
  "equal", which is what pulling two strengths together expresses, it keeps the fit a concave problem
  with no extra parameter, and a rating then moves with the score (wins + draws / 2). Davidson's draw
  parameter would have to be estimated from few comparisons, and lots of draws (two agents that never
  score) would make it, not the ratings, absorb them.
- **Identifiability**: a tiny L2 penalty (``L2`` = 0.01, a Gaussian prior of sd 7 in log-odds) keeps an
  agent that won or lost every comparison finite; it also centres the strengths (mean 0), since any
  common shift leaves the likelihood unchanged. A rating is log-odds against the role's average agent.
- **Interval**: percentile bootstrap (``N_BOOT`` resamples of the boards, with replacement, from a
  fixed seed per role; deterministic), 95%. ``n`` is the agent's comparisons; no interval below
  ``MIN_N`` = 10 of them (or from a single board, where every resample is the same). An agent with no
  comparison (alone in its role) has no rating.

Example: A beats B in 3 of 4 comparisons: s_A - s_B = log 3 (at ``l2=0``).
"""

from __future__ import annotations

import math
import warnings
import zlib
from array import array
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np

from arena.analysis.stats import ALPHA, MIN_N

L2 = 0.01  # the penalty lambda * sum(s^2): finite strengths under perfect separation, mean 0
N_BOOT = 1000
TIE_TOL = 1e-9  # rewards closer than this are a draw

Board = tuple[Any, ...]


@dataclass(frozen=True)
class Comparison:
    """One duplicate comparison: ``a`` and ``b`` of ``role`` on ``board`` (one round); ``score``: a's 1, 0.5, 0."""

    role: str
    board: Board
    round: int
    a: str
    b: str
    score: float


@dataclass(frozen=True)
class Rating:
    """An agent's Bradley-Terry strength in its role, its 95% bootstrap interval (n >= MIN_N) and its n.

    ``value`` is None for an agent with no comparison (alone in its role); ``boards`` counts the boards its
    comparisons come from (the bootstrap's units).
    """

    agent: str
    role: str
    value: float | None
    lo: float | None = None
    hi: float | None = None
    n: int = 0
    boards: int = 0

    @property
    def has_interval(self) -> bool:
        return self.lo is not None and self.hi is not None

    def overlaps(self, other: Rating) -> bool:
        """Whether the two intervals overlap; without an interval on either side, the order is not known either."""
        if not (self.has_interval and other.has_interval):
            return True
        return self.lo <= other.hi and other.lo <= self.hi  # type: ignore[operator]

    def format(self, fmt: str = "{:.2f}") -> str:
        """``0.85 [0.20, 1.50] n=24``; ``0.85 n=4 (n<10)``; ``-`` without a rating."""
        if self.value is None:
            return "-"
        text = fmt.format(self.value)
        if self.has_interval:
            text += f" [{fmt.format(self.lo)}, {fmt.format(self.hi)}]"
        text += f" n={self.n}"
        if not self.has_interval:
            text += f" (n<{MIN_N})" if self.n < MIN_N else " (1 board)"
        return text


def comparisons(records: Iterable[dict[str, Any]]) -> list[Comparison]:
    """Every duplicate comparison in the successful match records, in a stable order.

    Records that share game, scenario, arm, repeat, round, seed and the other roles' agents form one board
    round; within it every pair of different agents of the role is compared on reward.
    """
    groups: dict[tuple[str, Board, int, Any], dict[str, float]] = defaultdict(dict)
    for rec in records:
        if rec.get("kind") != "match" or rec.get("status") != "ok":
            continue
        agents: dict[str, str] = rec["agents"]
        for role, agent in agents.items():
            others = tuple(sorted((r, str(a)) for r, a in agents.items() if r != role))
            board = (str(rec.get("game", "")), str(rec.get("scenario", "")), str(rec.get("arm", "none")),
                     int(rec.get("repeat", 0)), others)
            where = (role, board, int(rec.get("round", 1)), rec.get("seed"))
            groups[where][str(agent)] = float((rec.get("rewards") or {}).get(role, 0.0))
    out: list[Comparison] = []
    for (role, board, round_, _seed), rewards in sorted(groups.items(), key=lambda kv: repr(kv[0])):
        names = sorted(rewards)
        for i, a in enumerate(names):
            for b in names[i + 1:]:
                diff = rewards[a] - rewards[b]
                score = 0.5 if abs(diff) <= TIE_TOL else (1.0 if diff > 0 else 0.0)
                out.append(Comparison(role, board, round_, a, b, score))
    return out


def fit(wins: np.ndarray, *, l2: float = L2) -> np.ndarray:
    """Bradley-Terry strengths from ``wins[i, j]``: i's score against j (wins plus half the draws).

    Maximises sum_ij wins[i, j] log sigmoid(s_i - s_j) - l2 sum_i s_i^2; with ``l2 = 0`` the strengths are
    centred to mean 0 (the likelihood does not see a common shift). An agent without comparisons gets 0.
    """
    from scipy.optimize import minimize
    from scipy.special import expit, log_expit

    k = wins.shape[0]
    if k < 2:
        return np.zeros(k)

    def objective(s: np.ndarray) -> tuple[float, np.ndarray]:
        diff = s[:, None] - s[None, :]
        value = -float((wins * log_expit(diff)).sum()) + l2 * float(s @ s)
        # d/ds_i of sum_ij w_ij log sigmoid(s_i - s_j): sum_j w_ij sigmoid(s_j - s_i) - w_ji sigmoid(s_i - s_j)
        term = wins * expit(-diff)
        grad = -(term.sum(axis=1) - term.sum(axis=0)) + 2 * l2 * s
        return value, grad

    def hessian(s: np.ndarray) -> np.ndarray:
        p = expit(s[:, None] - s[None, :])
        c = (wins + wins.T) * p * (1 - p)
        return np.diag(c.sum(axis=1)) - c + 2 * l2 * np.eye(k)

    # trust-exact: a handful of Newton steps (~1 ms for a few agents), fine with the singular Hessian of l2 = 0
    result = minimize(objective, np.zeros(k), jac=True, hess=hessian, method="trust-exact", options={"gtol": 1e-9})
    s = result.x
    return s - s.mean()


class Duplicates:
    """The ratings' input, one compact row per agent of a successful match: ids, round, seed and reward.

    Why not :func:`comparisons` over the records: that needs every record at hand; this is filled one record
    at a time (:meth:`add`) and holds a few numbers per match (``array``), so the ratings of a log of any
    size need no more than its boards, agents and those numbers. :meth:`roles` then finds the comparisons
    exactly as :func:`comparisons` does (a board round's rewards, the last logged per agent).
    """

    def __init__(self) -> None:
        self.role_names: list[str] = []
        self.agent_names: list[str] = []
        self.boards: list[Board] = []
        self._ids: dict[Any, int] = {}
        self._big_seeds: dict[int, int] = {}
        self.seen: dict[tuple[str, str], None] = {}  # (agent, role) of every successful match
        # ids as 4-byte ints (fewer roles, boards and agents than matches); round and seed as they come
        self._cols = {name: array("i" if name in ("role", "board", "agent") else "q")
                      for name in ("role", "board", "round", "seed", "agent")}
        self._reward = array("d")

    def _id(self, kind: str, item: Any, names: list[Any]) -> int:
        found = self._ids.get((kind, item))
        if found is None:
            found = self._ids[(kind, item)] = len(names)
            names.append(item)
        return found

    def add(self, rec: dict[str, Any]) -> None:
        """Fold in one record (ignored unless a successful match)."""
        if rec.get("kind") != "match" or rec.get("status") != "ok":
            return
        agents: dict[str, str] = rec["agents"]
        seed = rec.get("seed")
        if not (isinstance(seed, int) and -2**62 <= seed < 2**62):  # kept exact: an id above the int range
            seed = 2**62 + self._big_seeds.setdefault(seed, len(self._big_seeds))  # type: ignore[arg-type]
        game, scenario = str(rec.get("game", "")), str(rec.get("scenario", ""))
        arm, repeat, round_ = str(rec.get("arm", "none")), int(rec.get("repeat", 0)), int(rec.get("round", 1))
        rewards = rec.get("rewards") or {}
        for role, agent in agents.items():
            self.seen[(str(agent), role)] = None
            others = tuple(sorted((r, str(a)) for r, a in agents.items() if r != role))
            cols = self._cols
            cols["role"].append(self._id("role", role, self.role_names))
            cols["board"].append(self._id("board", (game, scenario, arm, repeat, others), self.boards))
            cols["round"].append(round_)
            cols["seed"].append(seed)
            cols["agent"].append(self._id("agent", str(agent), self.agent_names))
            self._reward.append(float(rewards.get(role, 0.0)))

    def roles(self) -> dict[str, tuple[list[str], list[Board], np.ndarray]]:
        """Per role with a comparison: its agents (sorted), its boards (sorted by ``repr``) and the scores on
        each board (``[board, i, j]``: i's wins plus half the draws against j)."""
        if not self._reward:
            return {}
        # views of the columns, not copies: at 100,000 matches each copy would be another megabytes
        col = {name: np.frombuffer(values, dtype=np.dtype(values.typecode)) for name, values in self._cols.items()}
        reward = np.frombuffer(self._reward, dtype=np.float64)
        order = np.lexsort((np.arange(reward.size, dtype=np.int32), col["agent"], col["seed"], col["round"],
                            col["board"], col["role"]))
        new_group = np.zeros(order.size, dtype=bool)
        new_group[0] = True
        for name in ("role", "board", "round", "seed"):
            sorted_ = col[name][order]
            new_group[1:] |= sorted_[1:] != sorted_[:-1]
        agent = col["agent"][order]
        last = np.ones(order.size, dtype=bool)  # the last logged of each agent in its group wins
        last[:-1] = new_group[1:] | (agent[1:] != agent[:-1])
        keep = order[last]
        group = np.cumsum(new_group)[last]  # each kept row's group (a group's first row may not be kept)
        starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]]) if keep.size else np.zeros(0, dtype=np.int64)
        comps: dict[int, list[tuple[int, str, str, float]]] = {}
        for lo, hi in zip(starts, [*starts[1:], keep.size], strict=True):
            if hi - lo < 2:
                continue
            rows = keep[lo:hi]
            rewards = {self.agent_names[int(a)]: float(r) for a, r in zip(col["agent"][rows], reward[rows],
                                                                            strict=True)}
            board = int(col["board"][rows[0]])
            names = sorted(rewards)
            for i, a in enumerate(names):
                for b in names[i + 1:]:
                    diff = rewards[a] - rewards[b]
                    score = 0.5 if abs(diff) <= TIE_TOL else (1.0 if diff > 0 else 0.0)
                    comps.setdefault(int(col["role"][rows[0]]), []).append((board, a, b, score))
        out = {}
        for role, role_comps in comps.items():
            agents = sorted({c[1] for c in role_comps} | {c[2] for c in role_comps})
            index = {a: i for i, a in enumerate(agents)}
            boards = sorted({c[0] for c in role_comps}, key=lambda b: repr(self.boards[b]))
            board_index = {b: i for i, b in enumerate(boards)}
            per_board = np.zeros((len(boards), len(agents), len(agents)))
            for board, a, b, score in role_comps:
                per_board[board_index[board], index[a], index[b]] += score
                per_board[board_index[board], index[b], index[a]] += 1.0 - score
            out[self.role_names[role]] = (agents, [self.boards[b] for b in boards], per_board)
        return out


def rate(records: Iterable[dict[str, Any]] | Duplicates, *, n_boot: int = N_BOOT, seed: int = 0,
         l2: float = L2) -> dict[tuple[str, str], Rating]:
    """A :class:`Rating` per (agent, role) for every agent of the successful records (None: no comparison).

    ``records``: the match records (any iterable, read once), or their :class:`Duplicates`."""
    if not isinstance(records, Duplicates):
        dups = Duplicates()
        for rec in records:
            dups.add(rec)
        records = dups
    out = {key: Rating(key[0], key[1], None) for key in records.seen}
    for role, (agents, _boards, per_board) in records.roles().items():
        out.update(_rate_role(role, agents, per_board, n_boot=n_boot, seed=seed, l2=l2))
    return out


def _rate_role(role: str, agents: list[str], per_board: np.ndarray, *, n_boot: int, seed: int,
               l2: float) -> dict[tuple[str, str], Rating]:
    """One role's fit and its bootstrap over boards (``per_board``: the scores on each board)."""
    index = {a: i for i, a in enumerate(agents)}
    k = len(agents)
    played = per_board + per_board.transpose(0, 2, 1)  # comparisons between i and j per board
    n = played.sum(axis=(0, 2)).astype(int)
    agent_boards = (played.sum(axis=2) > 0).sum(axis=0)
    strength = fit(per_board.sum(axis=0), l2=l2)
    lo = hi = np.full(k, np.nan)
    if n_boot > 0 and per_board.shape[0] > 1 and (n >= MIN_N).any():
        lo, hi = _bootstrap(per_board, played, n_boot=n_boot, l2=l2,
                            rng=np.random.default_rng([seed, zlib.crc32(role.encode())]))
    out = {}
    for a, i in index.items():
        show = n[i] >= MIN_N and agent_boards[i] > 1 and not math.isnan(lo[i])
        value = float(strength[i]) if abs(strength[i]) > 1e-9 else 0.0  # no "-0.00"
        out[(a, role)] = Rating(a, role, value, float(lo[i]) if show else None,
                                float(hi[i]) if show else None, n=int(n[i]), boards=int(agent_boards[i]))
    return out


def _bootstrap(per_board: np.ndarray, played: np.ndarray, *, n_boot: int, l2: float,
               rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval of each strength over ``n_boot`` resamples of the boards (with replacement).

    An agent with no comparison in a resample is left out of that fit (its draw is NaN, not a prior's 0).
    """
    n_boards = per_board.shape[0]
    weights = np.stack([np.bincount(rng.integers(0, n_boards, size=n_boards), minlength=n_boards)
                        for _ in range(n_boot)]).astype(float)
    wins = np.tensordot(weights, per_board, axes=1)  # (n_boot, k, k)
    present = np.tensordot(weights, played, axes=1).sum(axis=2) > 0
    draws = np.where(present, fit_batch(wins, present, l2=l2), np.nan)
    with warnings.catch_warnings():  # an agent absent from every resample: NaN, said by the caller
        warnings.simplefilter("ignore", RuntimeWarning)
        lo, hi = np.nanpercentile(draws, [100 * ALPHA / 2, 100 * (1 - ALPHA / 2)], axis=0)
    return lo, hi


def fit_batch(wins: np.ndarray, present: np.ndarray, *, l2: float = L2, max_iter: int = 200) -> np.ndarray:
    """:func:`fit` for many score matrices at once (``wins``: (B, k, k)), by damped Newton steps in numpy.

    Why not ``fit`` in a loop: a bootstrap of a thousand fits through ``scipy.optimize`` takes seconds; the
    same Newton iteration on the stacked arrays takes milliseconds. Agents not ``present`` (B, k) are held at
    0 and left out of the centring; ``l2`` is kept above 1e-9 so every Hessian is invertible. Tests check it
    against :func:`fit`.
    """
    from scipy.special import expit

    lam = max(l2, 1e-9)
    n_batch, k = present.shape
    s = np.zeros((n_batch, k))
    absent = np.eye(k)[None] * (~present)[:, :, None]  # identity rows for absent agents: their step is 0
    for _ in range(max_iter):
        diff = s[:, :, None] - s[:, None, :]
        term = wins * expit(-diff)
        grad = -(term.sum(axis=2) - term.sum(axis=1)) + 2 * lam * s
        grad[~present] = 0.0
        if np.abs(grad).max(initial=0.0) < 1e-9:
            break
        p = expit(diff)
        c = (wins + wins.transpose(0, 2, 1)) * p * (1 - p)
        hess = c.sum(axis=2)[:, :, None] * np.eye(k) - c + 2 * lam * np.eye(k) + absent
        step = np.linalg.solve(hess, grad[:, :, None])[:, :, 0]
        step /= np.maximum(1.0, np.abs(step).max(axis=1, keepdims=True))  # at most 1 per step: no overshoot
        s -= step
    counts = np.maximum(present.sum(axis=1, keepdims=True), 1)
    return np.where(present, s - (s * present).sum(axis=1, keepdims=True) / counts, 0.0)
