"""The example game, and the template for a new one: two players take turns guessing a secret number.

Copy this folder to ``arena/games/<name>/``, rename, and add one line to :mod:`arena.registry`. Each
file has one job: ``rules.py`` (the pure game: state, moves, outcome, rewards), ``env.py`` (the same as a
PettingZoo AEC env, with the two ``info`` keys Arena's match loop reads), ``scenario.py`` (the scenario
file's model), ``prompts.py`` (what language models are told and how their replies become moves),
``scripted.py`` (baselines and a scripted critic), ``spec.py`` (the :class:`~arena.registry.Game`).
"""
