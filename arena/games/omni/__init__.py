"""OMNI, the curriculum game: a teacher chooses (and generates) what a learner practises next.

After OMNI (Zhang, Lehman, Stanley, Clune, ICLR 2024) and OMNI-EPIC: learning progress says which tasks
are learnable now, a model of interestingness says which of those are worth learning. This folder holds
the pure core, with no Ray and no LLM: ``families/`` (task generators and programmatic verifiers),
``progress.py`` (OMNI's learning progress and sampling weights), ``interest.py`` (the model of
interestingness and its cache), ``archive.py`` (OMNI-EPIC's archive), ``teacher.py`` (the strategies and
their resumable state), ``simlearner.py`` (a scripted learner) and ``curriculum.py`` (the run loop and
its metrics). On top of these, the game: ``episode.py`` (one episode's rules and the carried
:class:`~arena.games.omni.episode.CurriculumState`), ``env.py`` (the PettingZoo AEC env, agents ``teacher``
and ``learner``), ``scenario.py``, ``prompts.py``, ``scripted.py`` (the strategies as scripted teachers,
the simulated learner, a critic on failures), ``llm.py`` (the LLM judge and generator), ``recall.py`` (the
learner's attempts at related tasks, recalled in its prompt), ``metrics.py``,
``render.py`` and ``spec.py`` (the :class:`~arena.registry.Game`, with ``carry``).
"""
