"""``report.html``: the mission told in order, self-contained, from the run's manifest.

Order: the scenario and its answers (landing site and why, the traverse, the mission's
timeline, water found against truth, the end of the mission), then the environment (terrain,
illumination, permanent shadow, darkness, Earth visibility, temperatures, ice stability, cold
traps), then validation notes and provenance. Every picture is a PNG drawn here with matplotlib
from the run's data products and embedded as base64, so the file opens offline and can be
mailed. The report reads only what ``run.json`` lists (:mod:`lupex.report.products`).
"""

from __future__ import annotations

import base64
import html
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from lupex.io.atomic import write_text_atomic
from lupex.io.runfolder import RunFolder
from lupex.report import fmt
from lupex.report import products as P

ENVIRONMENT = [
    ("dem", "Terrain", "Elevation over a hillshade (sun from the grid north-west)."),
    ("sun_fraction_mean", "Mean illumination",
     "Mean visible fraction of the solar disc over the window, above the terrain horizon."),
    ("psr", "Permanent shadow", "Pixels where no part of the Sun is ever visible over the PSR span."),
    ("longest_darkness_h", "Longest darkness", "Longest continuous time with no Sun visible."),
    ("earth_visible_fraction", "Earth visibility",
     "Fraction of the window with part of the Earth above the terrain horizon."),
    ("t_surface_max_k", "Maximum surface temperature", "Annual maximum of the surface temperature."),
    ("t_surface_mean_k", "Mean surface temperature", "Annual mean surface temperature."),
    ("ice_stability_depth_m", "Ice stability depth",
     "Shallowest depth at which water ice is stable against sublimation."),
    ("cold_trap_H2O", "Water cold traps", "Where water ice can survive at the surface."),
]

_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1d232a;
line-height:1.45;background:#f4f6f8}
main{max-width:1120px;margin:0 auto;padding:1.2rem 1.6rem 3rem;background:#fff}
header.top{background:#14202e;color:#eef3f8;padding:1.2rem 1.6rem}
header.top h1{margin:0;font-size:1.6rem} header.top p{margin:.2rem 0 0;color:#b7c4d2}
nav{font-size:.9rem;margin:.6rem 0 1rem} nav a{margin-right:.9rem;color:#1f6feb}
h2{border-bottom:2px solid #14202e;padding-bottom:.2rem;margin-top:2.2rem}
h3{margin:1.4rem 0 .4rem}
.cards{display:grid;grid-template-columns:repeat(auto-fill,minmax(240px,1fr));gap:.7rem}
.card{border:1px solid #dde2e7;border-radius:8px;padding:.6rem .8rem;background:#fafbfc}
.card b{display:block;font-size:.8rem;text-transform:uppercase;letter-spacing:.04em;color:#5b6570}
.card span{font-size:1.15rem}
.card small{display:block;color:#5b6570;font-size:.8rem}
figure{margin:.8rem 0;text-align:center} figure img{max-width:100%;border:1px solid #e3e7eb}
figcaption{font-size:.85rem;color:#38424c;text-align:left;margin-top:.2rem}
.grid2{display:grid;grid-template-columns:repeat(auto-fill,minmax(500px,1fr));gap:.6rem}
.tablewrap{overflow-x:auto}
table{border-collapse:collapse;font-size:.82rem;margin:.4rem 0 1rem}
td,th{border:1px solid #dde2e7;padding:.18rem .45rem;text-align:right;white-space:nowrap}
th{background:#eef2f6} td:first-child,th:first-child{text-align:left}
caption{text-align:left;font-size:.85rem;color:#38424c;padding:.2rem 0}
.note{font-size:.85rem;color:#5b6570} .warn{color:#9a3412}
dl.kv{display:grid;grid-template-columns:max-content 1fr;gap:.15rem 1rem;font-size:.88rem}
dl.kv dt{color:#5b6570} dl.kv dd{margin:0}
details{margin:.5rem 0} pre{background:#f6f8fa;padding:.7rem;overflow:auto;font-size:.78rem}
"""


class _Report:
    """What the sections share: the run, its overlay, landing site, track and sky (lazy)."""

    def __init__(self, rf: RunFolder) -> None:
        self.rf = rf
        self.summary = rf.summary()
        self._cache: dict[str, Any] = {}
        self.mission: dict[str, Any] = {}
        p = P.find(rf, name="summary", suffix=".json")
        if p is not None:
            self.mission = json.loads((rf.path / p["path"]).read_text(encoding="utf-8"))

    def lazy(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]

    @property
    def overlay(self) -> Any:
        from lupex.report.mapfig import overlay

        return self.lazy("overlay", lambda: overlay(self.rf))

    @property
    def track(self) -> Any:
        from lupex.report.route import rover_track

        return self.lazy("track", lambda: rover_track(self.rf, crs=self.overlay.crs))

    def table(self, name: str) -> tuple[Any, dict[str, Any]] | None:
        import pandas as pd

        p = P.find(self.rf, kind="table", name=name)
        if p is None:
            return None
        try:
            return pd.read_csv(self.rf.path / p["path"]), p
        except pd.errors.EmptyDataError:
            return None


def _img(png: bytes | None, caption: str, alt: str) -> str:
    if not png:
        return ""
    b64 = base64.b64encode(png).decode("ascii")
    return (f"<figure><img alt='{html.escape(alt)}' src='data:image/png;base64,{b64}'>"
            f"<figcaption>{caption}</figcaption></figure>")


def _card(title: str, value: str, sub: str = "") -> str:
    return (f"<div class='card'><b>{html.escape(title)}</b><span>{value}</span>"
            f"{f'<small>{sub}</small>' if sub else ''}</div>")


def _kv(d: dict[str, Any], skip: tuple[str, ...] = ()) -> str:
    rows = []
    for k, v in d.items():
        if k in skip or v is None or v == {} or v == []:
            continue
        if isinstance(v, dict) and all(isinstance(x, (int, float)) for x in v.values()):
            v = {a: fmt.value(k, b) for a, b in v.items()}
            text = "; ".join(f"{html.escape(str(a))}: {b}" for a, b in v.items())
        elif isinstance(v, dict):
            text = _kv(v)
        else:
            text = fmt.value(k, v)
        rows.append(f"<dt>{html.escape(fmt.label(k))}</dt><dd>{text}</dd>")
    return "<dl class='kv'>" + "".join(rows) + "</dl>"


# ---------------------------------------------------------------------------------------------
# sections


def _answers(r: _Report) -> str:
    s, m = r.summary, r.mission
    cards = []
    site = r.overlay.site
    if site is not None and "lat_deg" in site:
        sub = f"score {site.get('score', float('nan')):.2f} of 1" if "score" in site else ""
        if "rank" in site:
            sub = f"rank {int(site['rank'])}, " + sub
        if np.isfinite(site.get("ellipse_radius_m", np.nan)):
            sub += f", landing ellipse radius {site['ellipse_radius_m']:.0f} m"
        if site.get("landing_choice"):
            sub += f"; {html.escape(site['landing_choice'])}"
        cards.append(_card("Landing site", fmt.latlon(site["lat_deg"], site["lon_deg"]), sub))
    elif s.get("traverse_status") == "no_site" or s.get("site_candidates") == 0:
        cards.append(_card("Landing site", "none found",
                           "no pixel passed every hard constraint (see the site notes)"))
    if "traverse_distance_m" in s:
        cards.append(_card("Planned traverse", fmt.value("traverse_distance_m",
                                                         s["traverse_distance_m"]),
                           f"in {fmt.value('d_h', s.get('traverse_duration_h', float('nan')))}, "
                           "from the best-ranked site to the nearest PSR edge and back to light"))
    if m:
        if isinstance(m.get("water_found_wt_pct"), (int, float)):
            cards.append(_card("Water found", fmt.value("w_wt_pct", m["water_found_wt_pct"]),
                               f"truth {fmt.value('w_wt_pct', m.get('water_truth_wt_pct'))} "
                               f"over {m.get('samples', '?')} samples"))
        eom = m.get("end_of_mission") or {}
        if eom:
            cards.append(_card("End of mission", html.escape(str(eom.get("cause", "?"))),
                               f"day {eom.get('day', float('nan')):.1f}"
                               + (f", {fmt.utc(eom['time_utc'])}" if eom.get("time_utc") else "")))
        elif m.get("samples") == 0:
            cards.append(_card("Water found", "no sample analysed", "before the end of mission"))
        if "distance_driven_m" in m:
            cards.append(_card("Driven", fmt.value("distance_driven_m", m["distance_driven_m"]),
                               f"{m.get('drill_sites', '?')} drill sites" + (
                                   f"; on a {m['mission_grid']['pixel_m']:g} m nested grid"
                                   if (m.get("mission_grid") or {}).get("nested") else "")))
        if "data_returned_mb" in m:
            cards.append(_card("Data returned", f"{fmt.number(m['data_returned_mb'], 0)} MB"))
    if "psr_area_km2" in s:
        cards.append(_card("Permanent shadow", fmt.value("psr_area_km2", s["psr_area_km2"]),
                           "on the map, over the PSR span"))
    ct = s.get("cold_trap_km2")
    if isinstance(ct, dict) and "H2O" in ct:
        cards.append(_card("Water cold traps", fmt.value("a_km2", ct["H2O"])))
    sc = r.rf.manifest.get("scenario") or {}
    w = sc.get("window") or {}
    intro = ""
    if w:
        intro = (f"<p>Mission window {fmt.utc(w.get('start'))} to {fmt.utc(w.get('stop'))}"
                 f" at {html.escape(str(w.get('step', '')))} steps.</p>")
    return "<section id='answers'><h2>Scenario and answers</h2>" + intro + \
        "<div class='cards'>" + "".join(cards) + "</div></section>"


def _landing(r: _Report) -> str:
    from lupex.report.mapfig import map_png

    out = ["<section id='site'><h2>Landing site and why</h2>"]
    score = P.find(r.rf, kind="map", name="site_score")
    if score is not None:
        out.append(_img(map_png(r.rf, score, r.overlay),
                        "Landing-site score: the worst value of each criterion inside the "
                        "landing ellipse, weighted (blank where a hard constraint fails). Red: "
                        "the chosen site and its ellipse; yellow: the ranked candidates; cyan: "
                        "the rover's route.", "site score map"))
    t = r.table("sites")
    if t is not None and len(t[0]):
        df, p = t
        out.append("<h3>Ranked candidates</h3>" + fmt.table(df, units=p.get("units") or {},
                                                            max_rows=10))
        out.append("<p class='note'>Criteria columns are the worst value inside the landing "
                   "ellipse; the score weighs their normalised values (the scenario's "
                   "[sites.weights]).</p>")
    notes = r.rf.summary("sites").get("site_notes") or []
    if notes:
        out.append("<ul class='note'>" + "".join(f"<li>{html.escape(n)}</li>" for n in notes)
                   + "</ul>")
    out.append("</section>")
    return "".join(out)


def _sky(r: _Report) -> str:
    from lupex.report.plots import site_sky_png
    from lupex.report.sky import sky_at, window_times

    site = r.overlay.site
    if P.find(r.rf, kind="store", name="horizons") is None or P.window(r.rf) is None:
        return ""
    if site is not None and "x_m" in site:
        x, y, what = site["x_m"], site["y_m"], "the landing site"
    elif r.overlay.bounds is not None:
        b = r.overlay.bounds
        x, y, what = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2, "the map centre (no landing site)"
    else:
        return ""
    sky = sky_at(r.rf, x, y, times=window_times(r.rf, 721))
    lit = 100.0 * float(np.mean(np.array(sky["sun_fraction"]) > 0))
    earth = 100.0 * float(np.mean(np.array(sky["earth_fraction"]) > 0))
    title = (f"Sun and Earth at {what}: {fmt.latlon(sky['lat_deg'], sky['lon_deg'])}, "
             f"{sky['elevation_m']:.0f} m")
    return ("<section id='sky'><h2>Sun and Earth at the site</h2>"
            f"<p>Over the window the Sun is at least partly above this pixel's terrain horizon "
            f"{lit:.0f} % of the time and the Earth {earth:.0f} % of the time.</p>"
            + _img(site_sky_png(sky, title=title),
                   "Left: elevation of the Sun's and the Earth's centres (solid) against the "
                   "terrain horizon in their direction (dashed); shaded where part of the Sun is "
                   "visible. Right: the terrain horizon at the site with the Sun's and the "
                   "Earth's tracks over the window.", "sun and earth at the site")
            + "</section>")


def _traverse(r: _Report) -> str:
    from lupex.report.mapfig import map_png
    from lupex.report.plots import soc_png

    tr = r.track
    if tr is None or not len(tr):
        s = r.summary.get("traverse")
        return ("<section id='traverse'><h2>The traverse</h2>"
                f"<p>{html.escape(str(s))}</p></section>") if s else ""
    out = ["<section id='traverse'><h2>The traverse</h2>"]
    dem = P.dem_product(r.rf)
    bg = P.find(r.rf, kind="map", name="sun_fraction_mean") or dem
    if bg is not None:
        out.append(_img(map_png(r.rf, bg, r.overlay, title="Route over the mean illumination"),
                        "The rover's route (cyan) from the landing site (red) over the mean "
                        "illumination.", "route map"))
    out.append(_img(soc_png(tr, title="Rover state of charge along the route"),
                    "State of charge; grey: in darkness; blue strip: Earth visible; top strip: "
                    "activity.", "state of charge"))
    t = r.table("traverse_legs")
    if t is not None:
        out.append("<h3>Legs</h3>" + fmt.table(t[0], units=t[1].get("units") or {}))
    out.append("</section>")
    return "".join(out)


def _mission(r: _Report) -> str:
    from lupex.report.plots import distributions_png, gantt_png, profiles_png

    parts = []
    m = r.mission
    if m:
        parts.append("<h3>Summary</h3>" + _kv(m, skip=("preset_sources", "monte_carlo")))
    nd = P.find(r.rf, kind="map", name="mission_dem")
    if nd is not None:
        from lupex.report.mapfig import map_png, zoom_overlay

        grid = m.get("mission_grid") if isinstance(m.get("mission_grid"), dict) else {}
        parts.append(_img(map_png(r.rf, nd, zoom_overlay(r.rf, nd, r.overlay),
                                  title="The rover's ground: the nested mission grid"),
                          html.escape(f"The mission ran on a nested grid of "
                                      f"{grid.get('pixel_m', '?')} m around the landing site "
                                      f"({grid.get('source', '')}), with its own horizons; the "
                                      "driven route in cyan."), "nested grid"))
    t = r.table("timeline")
    if t is not None:
        parts.append(_img(gantt_png(t[0], title="Activity timeline", what="activity"),
                          "Each activity of the rover and the lander in time.", "timeline"))
    for name in ("stations", "station_windows", "ground_stations"):
        s = r.table(name)
        if s is not None:
            parts.append(_img(gantt_png(s[0], title="Ground-station windows", what="station"),
                              "When each ground station sees the lander.", "stations"))
    t = r.table("measurements")
    if t is not None:
        parts.append(_img(profiles_png(t[0], title="Measured against true at each drill site"),
                          "Measured values (points, with 1-sigma bars) against the ground truth "
                          "(line) by depth.", "profiles"))
        parts.append("<h3>Measurements</h3>" + fmt.table(t[0], units=t[1].get("units") or {},
                                                         max_rows=15))
    t = r.table("monte_carlo")
    if t is not None:
        parts.append(_img(distributions_png(t[0], title="Monte Carlo distributions"),
                          f"{len(t[0])} draws.", "monte carlo"))
        if isinstance(m.get("monte_carlo"), dict):
            parts.append(_kv(m["monte_carlo"]))
    if not parts:
        return ""
    return "<section id='mission'><h2>The mission</h2>" + "".join(parts) + "</section>"


def _environment(r: _Report) -> str:
    from lupex.report.mapfig import map_png

    figs = []
    for name, title, cap in ENVIRONMENT:
        p = P.find(r.rf, kind="map", name=name)
        if p is not None:
            figs.append(_img(map_png(r.rf, p, r.overlay, title=title), html.escape(cap), name))
    ct = r.summary.get("cold_trap_km2")
    extra = ""
    if isinstance(ct, dict) and ct:
        rows = "".join(f"<tr><td>{html.escape(k)}</td><td>{v:.2f}</td></tr>"
                       for k, v in ct.items() if isinstance(v, (int, float)))
        extra = ("<h3>Cold-trap area by species</h3><table><tr><th>species</th>"
                 f"<th>area [km²]</th></tr>{rows}</table>")
    if not figs and not extra:
        return ""
    return ("<section id='environment'><h2>The environment</h2><div class='grid2'>"
            + "".join(figs) + "</div>" + extra + "</section>")


def _validation(r: _Report) -> str:
    import pandas as pd

    rf = r.rf
    out = ["<section id='provenance'><h2>Validation and provenance</h2>"]
    notes = []
    for stage, rec in (rf.manifest.get("stages") or {}).items():
        for k, v in (rec.get("summary") or {}).items():
            if k.endswith("notes") and isinstance(v, list) and stage != "sites":
                notes += [f"{stage}: {n}" for n in v]
    if notes:
        out.append("<h3>Notes from the stages</h3><ul class='note'>"
                   + "".join(f"<li>{html.escape(str(n))}</li>" for n in notes) + "</ul>")
    rows = []
    for stage, rec in (rf.manifest.get("stages") or {}).items():
        rows.append({"stage": stage, "status": rec.get("status", ""),
                     "version": str(rec.get("version", "")), "key": rec.get("key", ""),
                     "finished_utc": rec.get("finished_utc", ""),
                     "duration_s": rec.get("duration_s", float("nan"))})
    if rows:
        out.append("<h3>Stages</h3>" + fmt.table(pd.DataFrame(rows), max_rows=50))
    prods = pd.DataFrame([{"path": p["path"], "kind": p["kind"], "stage": p["stage"],
                           "units": p["units"] if isinstance(p.get("units"), str) else "",
                           "long_name": p.get("long_name", "")}
                          for p in rf.products() if p["kind"] != "plot"])
    if len(prods):
        out.append("<details><summary>Products in this run folder (" + str(len(prods))
                   + "), all listed in run.json</summary>"
                   + fmt.table(prods, max_rows=500) + "</details>")
    kv = {"lupex_version": rf.manifest.get("lupex_version"),
          "created_utc": rf.manifest.get("created_utc"),
          "updated_utc": rf.manifest.get("updated_utc")}
    out.append(_kv(kv))
    sc = P.find(rf, kind="document", name="scenario")
    toml = rf.path / "scenario.toml"
    if sc is not None or toml.is_file():
        text = toml.read_text(encoding="utf-8") if toml.is_file() else ""
        out.append("<details><summary>The scenario (scenario.toml)</summary><pre>"
                   + html.escape(text) + "</pre></details>")
    out.append("</section>")
    return "".join(out)


SECTIONS = [("answers", _answers), ("site", _landing), ("sky", _sky), ("traverse", _traverse),
            ("mission", _mission), ("environment", _environment), ("provenance", _validation)]
TOC = {"answers": "Answers", "site": "Landing site", "sky": "Sun and Earth",
       "traverse": "Traverse", "mission": "Mission", "environment": "Environment",
       "provenance": "Provenance"}


def write_report(run_dir: str | os.PathLike[str], *, title: str | None = None) -> Path:
    """Write ``run_dir/report.html`` from the run's manifest and return its path.

    Parameters
    ----------
    run_dir : path-like
        A lupex run folder (``run.json`` lists its products).
    title : str, optional
        Page title; the scenario's name by default.

    Returns
    -------
    Path
        The report. A section whose figure fails is replaced by a one-line note (and a
        warning), so one bad product never costs the whole report.
    """
    rf = P.open_run(run_dir)
    r = _Report(rf)
    title = title or rf.manifest.get("scenario_name") or \
        (rf.manifest.get("scenario") or {}).get("name") or rf.path.name
    body, toc = [], []
    for key, make in SECTIONS:
        try:
            part = make(r)
        except Exception as exc:  # a figure that fails must not cost the whole report
            warnings.warn(f"report section {key!r} failed: {exc}", stacklevel=2)
            part = (f"<section id='{key}'><h2>{TOC[key]}</h2><p class='warn'>This section "
                    f"could not be drawn: {html.escape(str(exc))}</p></section>")
        if part:
            body.append(part)
            toc.append(f"<a href='#{key}'>{TOC[key]}</a>")
    w = P.window(rf)
    sub = f"lupex {html.escape(str(rf.manifest.get('lupex_version', '')))}"
    if w is not None:
        sub += f" · window {fmt.utc(str(w[0]))} to {fmt.utc(str(w[1]))}"
    page = ("<!doctype html><html lang='en'><head><meta charset='utf-8'>"
            f"<title>{html.escape(title)}</title><style>{_CSS}</style></head><body>"
            f"<header class='top'><h1>{html.escape(title)}</h1><p>{sub}</p></header><main>"
            f"<nav>{''.join(toc)}</nav>{''.join(body)}</main></body></html>\n")
    return write_text_atomic(rf.path / "report.html", page)

