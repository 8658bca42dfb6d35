"""Arena's games, one folder each (``arena/games/<name>/``), registered in :mod:`arena.registry`.

This package's own modules are helpers any game may use: :mod:`arena.games.text` (normalising and
bounding free text, PettingZoo text spaces) and :mod:`arena.games.templates` (plain-placeholder briefs).
"""
