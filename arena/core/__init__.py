"""What every layer may import: the plain-data contract between the match driver and the policies
(:mod:`arena.core.protocol`). Nothing here imports the rest of Arena."""
