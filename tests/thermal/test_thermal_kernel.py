"""The lane-batched conduction kernel: a column's numbers do not depend on its neighbours."""

from __future__ import annotations

import numpy as np
from numpy.testing import assert_array_equal

from lupex.thermal import SYNODIC_MONTH_S, idealized_diurnal_flux, initial_state
from lupex.thermal._kernel import LANES, integrate_kernel, integrate_kernel_serial
from lupex.thermal.conduction import _column_arrays, _output_interp


def _run(kernel, flux, state):
    a = _column_arrays(state.grid, state.params)
    _, idx, w = _output_interp(state.grid, (0.0, 0.1))
    ncol = flux.shape[1]
    T = state.t_k.copy()
    tmax = np.full((ncol, 2), -np.inf)
    z = np.zeros((1, 1))
    kernel(T, np.empty_like(T), False, np.ascontiguousarray(flux), SYNODIC_MONTH_S / flux.shape[0], a["rho_w"], a["kc"],
           a["dz"], a["chi350"], a["cpc"], a["eps"], a["qb"], 8, False, idx, w, tmax,
           np.full((ncol, 2), np.inf), np.zeros((ncol, 2)), -np.ones(ncol, np.int64),
           np.zeros((1, 1, 2)), 0, False, z, z, z, np.zeros((1, 3)))
    return T, tmax


def test_columns_get_the_same_bits_in_any_lane_and_either_kernel():
    # Exact equality is the authority: lanes run the same arithmetic per column, a converged
    # lane is frozen, and the serial kernel is the same code without threads. A flux scaled
    # per column (including 0: a column in steady cooling) exercises unequal pass counts.
    flux, _ = idealized_diurnal_flux(0.0, 60)
    n = 2 * LANES + 3  # two full groups and a partial one
    scale = np.linspace(0.0, 1.0, n)
    f = flux[:, None] * scale[None, :]
    st = initial_state(f.mean(axis=0) + 1.0)
    T, tmax = _run(integrate_kernel, f, st)
    perm = np.random.default_rng(1).permutation(n)
    st_p = type(st)(st.t_k[perm], st.grid, st.params)
    T_p, tmax_p = _run(integrate_kernel, f[:, perm], st_p)
    assert_array_equal(T_p, T[perm])
    assert_array_equal(tmax_p, tmax[perm])
    T_s, tmax_s = _run(integrate_kernel_serial, f, st)
    assert_array_equal(T_s, T)
    assert_array_equal(tmax_s, tmax)
    # and the numbers are not trivially equal: columns differ from each other
    assert np.ptp(tmax[:, 0]) > 100.0
