"""Numbers from a run's log alone: leaderboards, ratings, learning curves, reports."""
