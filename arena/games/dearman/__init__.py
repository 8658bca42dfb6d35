"""DEAR MAN: practise a hard conversation against a simulated partner, with a per-turn skills coach.

After IMBUE (Lin et al., 2024): a ``learner`` pursues an objective against a ``partner``; a coach rates
the DBT DEAR MAN skills (Describe, Express, Assert, Reinforce, Mindful, Appear confident, Negotiate) right
after each learner turn (``feedback: {advise: [learner], when: after_turn}``), and its rewrite enters the
learner's memory before its next turn.

Design, file by file: ``rules.py`` (the skill markers, the partner's state tokens, ending and rewards;
the env scores the learner itself with the markers, so it stays deterministic whatever the coach),
``env.py`` (the AEC env), ``scenario.py`` (the scenario file), ``prompts.py`` (reply schemas, the coach's
flat JSON and its parser), ``coach.py`` (the LLM coach: retry once, then unrated), ``scripted.py``
(learners, partner, scripted coach), ``metrics.py``, ``render.py``, ``spec.py``.
"""
