"""The stage modules of a lupex run, one per stage (see :mod:`lupex.run.contract`)."""
