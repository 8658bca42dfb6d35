"""``arena view``: browse runs in a web browser, served from the logs on 127.0.0.1.

- :mod:`arena.view.listing`: the match list's rows, filters (arm, agent, scenario, outcome) and pages;
  pure functions.
- :mod:`arena.view.runs`: the runs under a directory and what the view keeps of each, read through the
  log's offset index so a large run is paged, never loaded whole.
- :mod:`arena.view.html`, :mod:`arena.view.pages`, :mod:`arena.view.match_page`: the pages (no script).
- :mod:`arena.view.server`: the standard library's HTTP server that serves them.

Nothing here names a game: a match is shown through its game's hooks (``turn_details``,
``feedback_details``, ``outcome_line``, ``metrics``), a run's analysis is the report's.
"""

from arena.view.server import HOST, ViewServer, make_server

__all__ = ["HOST", "ViewServer", "make_server"]
