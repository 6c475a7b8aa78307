"""The registered stages, in the order data flows (the scheduler orders them by ``needs``).

Adding a stage: write ``lupex/run/stages/<name>.py`` defining ``STAGE`` (see
:mod:`lupex.run.contract`) and add it to this list.
"""

from lupex.run.stages import (
    ephemeris,
    horizon,
    illumination,
    launch,
    mission,
    sites,
    terrain,
    thermal,
    traverse,
    volatiles,
)

STAGES = [
    terrain.STAGE,
    ephemeris.STAGE,
    horizon.STAGE,
    illumination.STAGE,
    thermal.STAGE,
    volatiles.STAGE,
    sites.STAGE,
    launch.STAGE,
    traverse.STAGE,
    mission.STAGE,
]
