"""The ``arena`` command: thin Typer commands over the library, rendered with rich on stderr."""
