"""Where policies run: Ray actors (default; laptop or cluster) or in-process (``--local``)."""
