"""Arena: a multi-agent simulation and self-play arena for language models.

Players and critics are LLMs (or scripted baselines) hosted in Ray actors; games are PettingZoo AEC
environments; a critic's advice accumulates as in-context memory across rounds; every run leaves an
append-only log that can be resumed, replayed, rated and plotted.
"""

__version__ = "0.1.0"
