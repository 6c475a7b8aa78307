"""lupex.mission: the mission from touchdown to its end (ground truth, timeline, Monte Carlo).

The scenario schema moved to :mod:`lupex.scenario`.
"""
