"""OMNI, the curriculum game: a teacher chooses (and generates) what a learner practises next.

After OMNI (Zhang, Lehman, Stanley, Clune, ICLR 2024) and OMNI-EPIC: learning progress says which tasks
are learnable now, a model of interestingness says which of those are worth learning. This folder holds
the pure core, with no Ray and no LLM: ``families/`` (task generators and programmatic verifiers),
``progress.py`` (OMNI's learning progress and sampling weights), ``interest.py`` (the model of
interestingness and its cache), ``archive.py`` (OMNI-EPIC's archive), ``teacher.py`` (the strategies and
their resumable state), ``simlearner.py`` (a scripted learner) and ``curriculum.py`` (the run loop and
its metrics). The env, the LLM judge and generator, and the scenario come on top of these.
"""
