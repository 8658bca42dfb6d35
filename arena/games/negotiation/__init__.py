"""Negotiation (Fu et al. 2023): a seller and a buyer bargain over one item in free text.

``env.py`` (the PettingZoo AEC env) over the pure ``rules.py`` and ``reading.py``; ``scenario.py`` (the
scenario file); ``prompts.py`` (LLM reply schema, reply -> action, player and critic prompts, memory
lines); ``scripted.py`` (baselines and the scripted critic); ``moderator.py`` / ``llm_moderator.py`` (the
judge) with ``moderator_eval.py`` and its ``arena moderator-eval`` command (``cli.py``); ``spec.py`` (the
:class:`~arena.registry.Game` the registry names).
"""
