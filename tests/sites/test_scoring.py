"""Site scoring on synthetic maps whose best site is known by construction."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose

from lupex.io.maps import make_map
from lupex.sites import Lander, SiteCriteria, score_sites, write_site_outputs

PIX = 100.0
N = 81


def _dem(z=None):
    x = np.arange(N) * PIX - 4000.0
    y = 4000.0 - np.arange(N) * PIX
    return make_map(np.zeros((N, N)) if z is None else z, x=x, y=y, crs="IAU_2015:30135",
                    name="elevation", units="m", long_name="test DEM")


def _maps(sun=None):
    ii, jj = np.mgrid[:N, :N]
    sun = 0.4 + 0.5 * jj / (N - 1) if sun is None else sun   # brighter to the east
    psr = np.zeros((N, N))
    psr[(ii - 40) ** 2 + (jj - 75) ** 2 <= 3 ** 2] = 1.0      # a small PSR near the east edge
    return {"sun": sun, "earth": np.full((N, N), 0.6), "darkness": np.full((N, N), 20.0),
            "psr": psr}


def _haz(slope=None):
    return {"slope": np.zeros((N, N)) if slope is None else slope, "roughness": np.zeros((N, N))}


def test_ranked_candidates_are_distinct_and_best_first():
    res = score_sites(_dem(), _maps(), hazards=_haz(),
                      criteria=SiteCriteria(min_separation_m=1000, top=5))
    c = res.candidates
    assert list(c["rank"]) == [1, 2, 3, 4, 5]
    assert (np.diff(c.score.to_numpy()) <= 1e-12).all()
    d = np.hypot(c.x_m.to_numpy()[:, None] - c.x_m.to_numpy(), c.y_m.to_numpy()[:, None] - c.y_m.to_numpy())
    assert d[np.triu_indices(5, 1)].min() > 1000
    # score breakdown adds up
    contrib = c[[col for col in c.columns if col.endswith("_contribution")]].sum(axis=1)
    assert_allclose(contrib, c.score, rtol=1e-6)
    # the winner is in the bright east but not inside the PSR
    assert c.x_m.iloc[0] > 2000
    assert "ice_distance" not in res.used
    assert any("ice" in n for n in res.notes)


def test_worst_value_in_the_ellipse_decides():
    slope = np.zeros((N, N))
    slope[40, 40] = 12.0    # one steep pixel, above the 8 deg lander limit
    res = score_sites(_dem(), _maps(sun=np.full((N, N), 0.8)), hazards=_haz(slope),
                      lander=Lander(ellipse_radius_m=500), criteria=SiteCriteria(top=1))
    s = res.score.values
    assert np.isnan(s[40, 45])        # 500 m away: the steep pixel is in the ellipse
    assert np.isfinite(s[40, 46])     # 600 m away: it is not
    # with single-pixel judging (tiny ellipse) the neighbourhood would be fine
    res1 = score_sites(_dem(), _maps(sun=np.full((N, N), 0.8)), hazards=_haz(slope),
                       lander=Lander(ellipse_radius_m=10), criteria=SiteCriteria(top=1))
    assert np.isfinite(res1.score.values[40, 41])


def test_darkness_limit_is_the_shorter_of_lander_and_rover():
    maps = _maps()
    maps["darkness"] = np.full((N, N), 60.0)
    ok = score_sites(_dem(), maps, hazards=_haz(), lander=Lander(max_darkness_h=100))
    assert len(ok.candidates) > 0
    bad = score_sites(_dem(), maps, hazards=_haz(), lander=Lander(max_darkness_h=100),
                      rover_max_darkness_h=50)
    assert len(bad.candidates) == 0 and np.isnan(bad.score.values).all()
    # the note says which constraint no site meets, the best value reached and the field
    why = next(n for n in bad.notes if n.startswith("no pixel meets"))
    assert "darkness: the best site reaches 60 h against the limit 50 h" in why
    assert "lander.max_darkness_h" in why and "slope" not in why.split(";")[0]


def test_ice_criterion_used_when_the_map_exists():
    maps = _maps(sun=np.full((N, N), 0.8))
    ice = np.full((N, N), np.nan)
    ice[10, 10] = 0.3   # ice-stable at 0.3 m in one pixel, north-west
    maps["ice"] = ice
    res = score_sites(_dem(), maps, hazards=_haz(), criteria=SiteCriteria(
        weights={"sun": 0, "earth": 0, "darkness": 0, "psr_distance": 0, "ice_distance": 1,
                 "slope": 0, "roughness": 0}, top=1))
    assert res.used == ["ice_distance"]
    c = res.candidates.iloc[0]
    assert abs(c.x_m - (-3000)) <= 600 and abs(c.y_m - 3000) <= 600


def test_ice_map_on_a_decimated_grid_is_resampled():
    # the chain models temperatures on every 4th pixel: the ice map comes back on that grid
    dem = _dem()
    ice = np.full((N, N), np.nan)
    ice[8:13, 8:13] = 0.3   # ice-stable north-west
    coarse = make_map(ice[::4, ::4], x=dem["x"].values[::4], y=dem["y"].values[::4],
                      crs="IAU_2015:30135", name="ice_stability_depth_m", units="m", long_name="t")
    maps = _maps(sun=np.full((N, N), 0.8))
    maps["ice"] = coarse
    res = score_sites(dem, maps, hazards=_haz(), criteria=SiteCriteria(
        weights={"sun": 0, "earth": 0, "darkness": 0, "psr_distance": 0, "ice_distance": 1,
                 "slope": 0, "roughness": 0}, top=1))
    assert res.used == ["ice_distance"] and any("resampled" in n for n in res.notes)
    c = res.candidates.iloc[0]
    assert abs(c.x_m - (-3000)) <= 600 and abs(c.y_m - 3000) <= 600
    maps["ice"] = ice[::4, ::4]  # a bare array has no coordinates to resample by: refused
    from lupex.errors import ParameterError

    with pytest.raises(ParameterError, match="ice"):
        score_sites(dem, maps, hazards=_haz())


def test_grid_mismatch_is_refused():
    from lupex.errors import ParameterError

    maps = _maps()
    maps["sun"] = np.ones((10, 10))
    with pytest.raises(ParameterError, match="sun"):
        score_sites(_dem(), maps, hazards=_haz())


def test_outputs_written(tmp_path):
    dem = _dem()
    res = score_sites(dem, _maps(), hazards=_haz(), criteria=SiteCriteria(top=3))
    paths = write_site_outputs(res, tmp_path, dem=dem)
    tab = pd.read_csv(paths["csv"])
    assert len(tab) == 3 and {"lat_deg", "lon_deg", "sun_worst", "sun_contribution"} <= set(tab.columns)
    gj = json.loads(paths["geojson"].read_text())
    assert gj["projected_crs"] == "IAU_2015:30135" and "crs" not in gj  # RFC 7946: no crs member
    assert len(gj["features"]) == 3 and gj["features"][0]["properties"]["rank"] == 1
    # [lon, lat] in planetocentric degrees, the same point as the table's lat/lon columns
    lon_lat = np.array([f["geometry"]["coordinates"] for f in gj["features"]])
    np.testing.assert_allclose(lon_lat[:, 1], tab.lat_deg, atol=1e-6)
    np.testing.assert_allclose(np.mod(lon_lat[:, 0] - tab.lon_deg + 180, 360) - 180, 0, atol=1e-6)
    assert paths["tif"].exists() and paths["png"].stat().st_size > 1000
    # lat/lon at the pole's stereographic x, y: latitude is south polar
    assert (tab.lat_deg < -89).all()


def test_hazard_maps_from_a_real_slope():
    # a tilted plane of 10 deg: every site breaks the 8 deg lander limit
    x = np.arange(N) * PIX
    z = np.tan(np.radians(10.0)) * x[None, :].repeat(N, 0)
    res = score_sites(_dem(z), _maps())
    assert len(res.candidates) == 0
    assert any("baseline" in n for n in res.notes)
