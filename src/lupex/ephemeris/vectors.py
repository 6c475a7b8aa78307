"""Apparent (LT+S) Sun and Earth vectors in the Moon mean-Earth frame (MOON_ME, DE421).

"Apparent" has SPICE's ``'LT+S'`` meaning: the target's position is taken one light time
before the epoch (as light leaving it then arrives at the observer now), and the direction is
corrected for stellar aberration due to the observer's velocity relative to the solar-system
barycentre. The frame is evaluated at the observation epoch. See docs/ephemeris.md.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from lupex.ephemeris import _apparent
from lupex.ephemeris.timescales import times_and_tdb
from lupex.errors import ParameterError


def _observers(observer_me_m: Any, n: int) -> tuple[np.ndarray, bool]:
    """Validate observer positions; return (array (m, 3) [m], paired)."""
    if observer_me_m is None:
        return np.zeros((1, 3)), False
    p = np.asarray(observer_me_m, dtype=float)
    if not np.all(np.isfinite(p)):
        raise ParameterError("observer_me_m contains NaN or inf; give finite body-fixed "
                             "positions in metres (MOON_ME).")
    if p.shape == (3,) or p.shape == (1, 3):
        return p.reshape(1, 3), False
    if p.ndim == 2 and p.shape == (n, 3):
        return p, True
    raise ParameterError(f"observer_me_m has shape {p.shape}; expected (3,) or ({n}, 3) "
                         "(one body-fixed position per time) in metres.")


def sun_earth_vectors_me(times: Any, observer_me_m: Any = None) -> dict[str, np.ndarray]:
    """Apparent (LT+S) vectors to the Sun and the Earth in MOON_ME.

    Parameters
    ----------
    times : str, datetime64 or array-like
        UTC times (see :func:`lupex.ephemeris.check_times`), n of them.
    observer_me_m : array-like, optional
        Observer position in MOON_ME [m]: ``None`` (the Moon's centre), shape (3,) (one fixed
        point for all times) or (n, 3) (point ``i`` observes at time ``i``).

    Returns
    -------
    dict
        ``sun_m`` and ``earth_m``: arrays (n, 3) [m] from the observer to the apparent Sun and
        Earth centres, in MOON_ME. Their norms are the light-time corrected distances.

    Examples
    --------
    >>> v = sun_earth_vectors_me(["2028-01-01T00:00"])
    >>> round(float(np.linalg.norm(v["earth_m"][0])) / 1e3)  # doctest: +SKIP
    367521
    """
    _, et = times_and_tdb(times)
    obs, paired = _observers(observer_me_m, et.size)
    sun, earth = _apparent.run(et, obs, paired=paired, want_earth=True)
    return {"sun_m": sun[:, 0, :], "earth_m": earth[:, 0, :]}


def sun_direction_me(times: Any) -> tuple[np.ndarray, np.ndarray]:
    """Fast path: apparent (LT+S) Sun direction from the Moon's centre, in MOON_ME.

    Millions of epochs per second on a few cores (see ``benchmarks/ephemeris.py``); used to
    bin the Sun's body-fixed direction over long spans.

    Parameters
    ----------
    times : str, datetime64 or array-like
        UTC times, n of them.

    Returns
    -------
    unit : numpy.ndarray, shape (n, 3)
        Unit vectors toward the apparent Sun centre in MOON_ME.
    distance_m : numpy.ndarray, shape (n,)
        Light-time corrected Moon-centre to Sun-centre distance [m].
    """
    _, et = times_and_tdb(times)
    sun, _ = _apparent.run(et, np.zeros((1, 3)), paired=False, want_earth=False)
    v = sun[:, 0, :]
    d = np.sqrt(np.einsum("ij,ij->i", v, v))
    return v / d[:, None], d


def vectors_grid(et: np.ndarray, observers_m: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Sun and Earth LT+S vectors (n, m, 3) [m] for every TDB epoch x every observer."""
    sun, earth = _apparent.run(et, np.asarray(observers_m, dtype=float).reshape(-1, 3),
                               paired=False, want_earth=True)
    assert earth is not None
    return sun, earth
