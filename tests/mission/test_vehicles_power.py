"""Power, survival and comms models of the vehicles against closed forms."""

from __future__ import annotations

import numpy as np
import pytest
from numpy.testing import assert_allclose

from lupex.errors import ParameterError
from lupex.vehicles.comms import Comms, best_rate_kbps, station_rate_kbps, volume_mb
from lupex.vehicles.power import Battery, PowerLoads, battery_step
from lupex.vehicles.survival import (
    STEFAN_BOLTZMANN_W_M2_K4,
    energy_for_darkness_wh,
    max_darkness_h,
    survival_heater_power_w,
)


def test_battery_step_charge_discharge_and_clipping() -> None:
    # 100 W net for 1 h at eta_c = 0.9 stores exactly 90 Wh; -100 W at eta_d = 0.8 takes 125 Wh
    soc, shed, unmet = battery_step([500.0, 500.0], [300.0, 0.0], [200.0, 100.0], 3600.0,
                                    capacity_wh=1000.0, charge_efficiency=0.9,
                                    discharge_efficiency=0.8)
    assert_allclose(soc, [590.0, 375.0], rtol=1e-12)
    assert_allclose(shed, 0.0)
    # full: the surplus is shed (at the array), empty: the deficit is unmet (at the load)
    soc, shed, unmet = battery_step([990.0, 10.0], [200.0, 0.0], [0.0, 100.0], 3600.0,
                                    capacity_wh=1000.0, charge_efficiency=0.5,
                                    discharge_efficiency=0.5)
    assert_allclose(soc, [1000.0, 0.0])
    assert_allclose(shed, [(990 + 100 - 1000) / 0.5, 0.0])
    assert_allclose(unmet, [0.0, (200 - 10) * 0.5])
    # the deliberately wrong efficiency would fail the first check
    wrong, _, _ = battery_step(500.0, 300.0, 200.0, 3600.0, capacity_wh=1000.0,
                               charge_efficiency=1.0)
    assert not np.isclose(wrong, 590.0)


def test_battery_and_loads_validate() -> None:
    with pytest.raises(ParameterError, match="charge_efficiency"):
        Battery(capacity_wh=100.0, charge_efficiency=1.5)
    with pytest.raises(ParameterError, match="idle_w"):
        PowerLoads(drive_base_w=1, science_w=1, drill_w=1, idle_w=-1, hibernate_w=1)
    ld = PowerLoads(drive_base_w=1, science_w=2, drill_w=3, idle_w=4, hibernate_w=5,
                    survival_heater_w=6)
    assert ld.mode_w("hibernate") == 11
    assert Battery(capacity_wh=1000.0, discharge_efficiency=0.9).hours_to_empty(500, 45) == 10.0


def test_survival_heater_closed_form_and_darkness() -> None:
    # radiation only: eps sigma A (T^4 - Ts^4), computed by hand
    p = survival_heater_power_w(253.0, 60.0, radiator_area_m2=0.1, emissivity=0.8,
                                conductance_w_k=0.0)
    assert_allclose(p, 0.8 * STEFAN_BOLTZMANN_W_M2_K4 * 0.1 * (253.0**4 - 60.0**4), rtol=1e-12)
    assert survival_heater_power_w(50.0, 60.0, radiator_area_m2=1, emissivity=1,
                                   conductance_w_k=1) == 0.0
    # VIPER-like: 3200 Wh usable, 64 W hibernating -> 50 h (the published endurance)
    assert_allclose(max_darkness_h(3200.0, 64.0), 50.0)
    assert_allclose(energy_for_darkness_wh(50.0, 30.0, 34.0), 3200.0)
    assert_allclose(max_darkness_h(1000.0, 40.0, 10.0, discharge_efficiency=0.9), 18.0)


def test_station_rates_scale_with_aperture() -> None:
    # a 70 m dish collects (70/32)^2 = 4.785 x the power of a 32 m dish: the link budget
    r = station_rate_kbps([32.0, 70.0, 300.0], ref_rate_kbps=64.0, ref_diameter_m=32.0,
                          max_rate_kbps=1000.0)
    assert_allclose(r, [64.0, 64.0 * (70 / 32) ** 2, 1000.0])
    c = Comms(ref_rate_kbps=64.0)
    assert_allclose(c.station_rates_kbps(["IDSN-32", "DSS-14"]), r[:2])
    vis = np.array([[True, False], [True, True], [False, False]])
    assert_allclose(best_rate_kbps(vis, r[:2]), [64.0, r[1], 0.0])
    assert_allclose(volume_mb(8.0, 1000.0), 1.0)  # 8 kbit/s for 1000 s = 8 Mbit = 1 MB
    with pytest.raises(ParameterError, match="STATION_DIAMETER_M"):
        c.station_rates_kbps(["NOPE-1"])
