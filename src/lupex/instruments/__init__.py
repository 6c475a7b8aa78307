"""lupex.instruments: the LUPEX instruments as models (hardware layer: no model code imported).

Each measuring instrument is a module with its spec (pydantic, the scenario's values) and a pure
``measure(target, *, rng=None, spec=...)`` returning a frozen measurement with the value, its
1-sigma, the truth and the costs (duration_s, energy_wh, data_mb). ``rng=None`` is noiseless.

* ``column``   -- :class:`Column` (layered regolith) and :class:`Sample` (a drilled interval)
* ``neutron``  -- neutron spectrometer: epithermal counts against WEH, Poisson noise
* ``radar``    -- ground-penetrating radar: interface depth from two-way time
* ``drill``    -- 1.5 m auger: steps, time, energy, refusal, samples
* ``reiwa``    -- LTGA water content, TRITON evolved gases, ADORE D/H
* ``isap``     -- Raman detection of ice phases in a sample
* ``alis``     -- near-infrared surface ice (own lamp)
* ``prathima`` -- permittivity probe: ice abundance by a mixing model
* ``loads``    -- EMS-L and MIR: power and data loads without a measurement model
* ``dielectric`` -- permittivity of dry and icy regolith (shared by radar and probe)
"""

from lupex.instruments import alis, drill, isap, loads, neutron, prathima, radar, reiwa
from lupex.instruments.base import InstrumentSpec, Measurement
from lupex.instruments.column import Column, Sample

__all__ = ["Column", "InstrumentSpec", "Measurement", "Sample", "alis", "drill", "isap", "loads",
           "neutron", "prathima", "radar", "reiwa"]
