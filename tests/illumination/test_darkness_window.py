"""Longest darkness never exceeds the window it is measured over."""

from __future__ import annotations

import numpy as np

from lupex.illumination.stream import StreamState


def test_dark_throughout_reports_the_window_and_runs_count_steps():
    # 733 epochs at 2 h span 2028-09-01 .. 11-01 = 1464 h (not 733 x 2 = 1466 h)
    st = StreamState(3)
    st.n_epochs = 733
    st.dark_max[:] = [733, 10, 0]
    out = st.results(2.0)["longest_darkness_h"]
    # exact integers in hours: no tolerance needed beyond float rounding
    np.testing.assert_allclose(out, [1464.0, 20.0, 0.0], rtol=0, atol=1e-12)
