/* lupex viewer: the run's maps in their own polar stereographic CRS (OpenLayers), values read
 * from the Cloud-Optimized GeoTIFFs with geotiff.js (byte ranges), a time slider for the Sun's
 * shadow and the rover, and the sky at a clicked point. No network beyond this server. */
"use strict";

const LV = (window.lupexViewer = { ready: false, errors: [] });

function $(id) { return document.getElementById(id); }
async function getJSON(url) {
  const r = await fetch(url);
  if (!r.ok) throw new Error(url + ": HTTP " + r.status);
  return r.json();
}
function hexRGB(h) { return [1, 3, 5].map((i) => parseInt(h.slice(i, i + 2), 16)); }

/* ---------- numbers with units ---------- */
function fmt(v, layer) {
  if (v === null || v === undefined || Number.isNaN(v)) return "no data";
  if (layer.kind === "mask") return v >= 0.5 ? "yes" : "no";
  if (layer.kind === "class") return String(Math.round(v));
  const u = layer.units || "";
  let digits = 3;
  if (u === "K" || u === "h" || u === "deg") digits = 1;
  else if (u === "m") digits = Math.abs(v) >= 100 ? 0 : 2;
  else if (u === "1") digits = 3;
  const s = Math.abs(v) >= 1e5 ? v.toExponential(3) : v.toFixed(digits);
  const unit = u === "1" ? "" : u === "deg" ? "°" : " " + u;
  return s + unit;
}

/* ---------- projection: polar stereographic on a sphere (Snyder 1987, eqs. 21-2 .. 21-9) ---- */
function lonlatOf(x, y, polar) {
  if (!polar) return null;
  const dx = x - polar.false_easting_m, dy = y - polar.false_northing_m;
  const rho = Math.hypot(dx, dy);
  const colat = 2 * Math.atan(rho / polar.two_r_k0_m) * 180 / Math.PI;
  const lat = polar.south ? -90 + colat : 90 - colat;
  let lon = polar.lon0_deg + (polar.south ? Math.atan2(dx, dy) : Math.atan2(dx, -dy)) * 180 / Math.PI;
  lon = ((lon + 540) % 360) - 180;
  return [lon, lat];
}
function latlonText(ll) {
  if (!ll) return "";
  const [lon, lat] = ll;
  return Math.abs(lat).toFixed(4) + "°" + (lat < 0 ? "S" : "N") + ", " +
    Math.abs(lon).toFixed(3) + "°" + (lon < 0 ? "W" : "E");
}

/* ---------- rasters ---------- */
function colourise(values, w, h, layer) {
  const c = document.createElement("canvas");
  c.width = w; c.height = h;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(w, h);
  const stops = layer.stops.map(hexRGB);
  const n = stops.length - 1, lo = layer.vmin, span = (layer.vmax - layer.vmin) || 1;
  const nd = layer.nodata;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    const o = 4 * i;
    if (Number.isNaN(v) || (nd !== null && v === nd)) { img.data[o + 3] = 0; continue; }
    let rgb;
    if (layer.kind === "mask") {
      if (v < 0.5) { img.data[o + 3] = 0; continue; }
      rgb = stops[Math.round(0.85 * n)];
    } else if (layer.kind === "class") {
      rgb = stops[((Math.round(v) % stops.length) + stops.length) % stops.length];
    } else {
      const t = Math.min(1, Math.max(0, (v - lo) / span)) * n;
      const k = Math.min(n - 1, Math.floor(t)), f = t - k;
      const a = stops[k], b = stops[k + 1];
      rgb = [0, 1, 2].map((j) => a[j] + f * (b[j] - a[j]));
    }
    img.data[o] = rgb[0]; img.data[o + 1] = rgb[1]; img.data[o + 2] = rgb[2]; img.data[o + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

function hillshade(z, w, h, dx) {
  /* Lambertian shading, Sun at azimuth 315°, elevation 30° (grid frame), central differences */
  const c = document.createElement("canvas");
  c.width = w; c.height = h;
  const ctx = c.getContext("2d");
  const img = ctx.createImageData(w, h);
  const az = 315 * Math.PI / 180, alt = 30 * Math.PI / 180;
  const sx = Math.cos(alt) * Math.sin(az), sy = Math.cos(alt) * Math.cos(az), sz = Math.sin(alt);
  const at = (r, q) => z[Math.min(h - 1, Math.max(0, r)) * w + Math.min(w - 1, Math.max(0, q))];
  for (let r = 0; r < h; r++) {
    for (let q = 0; q < w; q++) {
      const gx = (at(r, q + 1) - at(r, q - 1)) / (2 * dx);
      const gy = (at(r - 1, q) - at(r + 1, q)) / (2 * dx); /* rows go south */
      const nrm = Math.hypot(gx, gy, 1);
      const s = Math.max(0, (-gx * sx - gy * sy + sz) / nrm);
      const o = 4 * (r * w + q), g = Number.isNaN(s) ? 0 : Math.round(255 * s);
      img.data[o] = g; img.data[o + 1] = g; img.data[o + 2] = g; img.data[o + 3] = 255;
    }
  }
  ctx.putImageData(img, 0, 0);
  return c;
}

async function openRaster(layer) {
  const tiff = await GeoTIFF.fromUrl(layer.url, { allowFullFile: false, cache: true });
  const count = await tiff.getImageCount();
  const full = await tiff.getImage(0);
  let pick = full;
  for (let i = 1; i < count; i++) {  /* overviews, largest first: the first one <= 1024 px */
    const im = await tiff.getImage(i);
    if ((im.fileDirectory.NewSubfileType || 0) & 4) continue;  /* a mask, not an overview */
    if (pick.getWidth() <= 1024) break;
    pick = im;
  }
  const data = (await pick.readRasters({ samples: [0], interleave: false }))[0];
  return { tiff, full, pick, data, w: pick.getWidth(), h: pick.getHeight() };
}

async function valueAt(layer, x, y) {
  const b = layer.bounds, r = layer.raster;
  if (!r || x < b[0] || x >= b[2] || y <= b[1] || y > b[3]) return undefined;
  const col = Math.floor((x - b[0]) / (b[2] - b[0]) * layer.width);
  const row = Math.floor((b[3] - y) / (b[3] - b[1]) * layer.height);
  if (r.w === layer.width && r.h === layer.height) return r.data[row * r.w + col];
  /* a big map: one pixel of the full-resolution image, read through a byte range */
  const v = await r.full.readRasters({ window: [col, row, col + 1, row + 1], samples: [0] });
  return v[0][0];
}

/* ---------- page ---------- */
async function main() {
  const cfg = await getJSON("/api/config");
  LV.config = cfg;
  $("title").textContent = "lupex viewer: " + cfg.title;
  document.title = "lupex viewer: " + cfg.title;
  const P = cfg.projection;
  const proj = new ol.proj.Projection({ code: P.code, units: "m", extent: P.extent });
  ol.proj.addProjection(proj);
  const view = new ol.View({ projection: proj, center: ol.extent.getCenter(P.extent),
                             zoom: 2, maxZoom: 12, showFullExtent: true });
  const map = new ol.Map({
    target: "map", view, layers: [],
    controls: ol.control.defaults.defaults({ attribution: false }).extend([
      new ol.control.ScaleLine({ units: "metric", bar: true, steps: 4, text: false, minWidth: 140 }),
    ]),
  });
  view.fit(P.extent, { padding: [20, 20, 20, 20] });
  LV.map = map;

  /* map layers, the DEM's hillshade first */
  const olLayers = {};
  const layerBox = $("layers");
  const dem = cfg.layers.find((l) => l.id === cfg.dem);
  const firstShown = cfg.layers.find((l) => l.id !== cfg.dem && /sun_fraction_mean|site_score/.test(l.id))
    || cfg.layers.find((l) => l.id !== cfg.dem);
  const entries = [];
  if (dem) entries.push({ ...dem, id: "hillshade", long_name: "hillshade of the terrain", shade: true });
  for (const l of cfg.layers) entries.push(l);
  for (const layer of entries) {
    const olLayer = new ol.layer.Image({ opacity: layer.shade ? 1 : 0.75,
                                         visible: layer.shade || layer === firstShown });
    olLayer.set("lupex", layer);
    olLayers[layer.id] = olLayer;
    map.addLayer(olLayer);
    const row = document.createElement("div");
    row.className = "layer";
    row.dataset.layer = layer.id;
    row.innerHTML = `<input type="checkbox" ${olLayer.getVisible() ? "checked" : ""} aria-label="show">` +
      `<span title="${layer.url}">${layer.long_name}${layer.units && !layer.shade ? " [" + layer.units + "]" : ""}</span>` +
      `<input type="range" min="0" max="1" step="0.05" value="${olLayer.getOpacity()}" aria-label="opacity">`;
    const [cb, , op] = row.children;
    cb.addEventListener("change", () => { olLayer.setVisible(cb.checked); legend(); });
    op.addEventListener("input", () => olLayer.setOpacity(Number(op.value)));
    layerBox.appendChild(row);
  }
  await Promise.all(entries.map(async (layer) => {
    const r = layer.shade && dem.raster ? dem.raster : await openRaster(layer);
    layer.raster = r;
    if (layer.shade) return;
    const canvas = colourise(r.data, r.w, r.h, layer);
    olLayers[layer.id].setSource(new ol.source.ImageStatic({
      url: canvas.toDataURL(), imageExtent: layer.bounds, projection: proj, interpolate: false }));
  }));
  if (dem) {
    const r = dem.raster;
    const dx = (dem.bounds[2] - dem.bounds[0]) / r.w;
    olLayers.hillshade.setSource(new ol.source.ImageStatic({
      url: hillshade(r.data, r.w, r.h, dx).toDataURL(), imageExtent: dem.bounds, projection: proj }));
  }

  /* graticule, grid north is up (the view is never rotated) */
  const grat = await getJSON("/api/graticule");
  const gratSrc = new ol.source.Vector();
  for (const g of grat) {
    let run = [];
    const flush = () => { if (run.length > 1) gratSrc.addFeature(new ol.Feature({ geometry: new ol.geom.LineString(run), label: g.label, kind: g.kind })); run = []; };
    g.x_m.forEach((x, i) => { if (x === null || g.y_m[i] === null) flush(); else run.push([x, g.y_m[i]]); });
    flush();
  }
  map.addLayer(new ol.layer.Vector({ source: gratSrc, zIndex: 20, style: (f) => new ol.style.Style({
    stroke: new ol.style.Stroke({ color: "rgba(255,255,255,0.55)", width: 1, lineDash: [4, 4] }),
    text: new ol.style.Text({ text: f.get("label"), placement: "line", font: "11px system-ui",
      fill: new ol.style.Fill({ color: "#fff" }), stroke: new ol.style.Stroke({ color: "#000", width: 2 }) }) }) }));

  /* plans (sites, routes) and the landing ellipse */
  const planSrc = new ol.source.Vector();
  const gj = new ol.format.GeoJSON();
  for (const p of cfg.plans) {
    const fc = await getJSON("/api/plan/" + encodeURIComponent(p.id));
    for (const f of gj.readFeatures(fc)) { f.set("plan", p.id); planSrc.addFeature(f); }
  }
  const site = await getJSON("/api/landing");
  if (site && site.x_m !== undefined) {
    if (site.ellipse_radius_m) planSrc.addFeature(new ol.Feature({ geometry: new ol.geom.Circle([site.x_m, site.y_m], site.ellipse_radius_m), plan: "ellipse" }));
    planSrc.addFeature(new ol.Feature({ geometry: new ol.geom.Point([site.x_m, site.y_m]), plan: "landing" }));
  }
  map.addLayer(new ol.layer.Vector({ source: planSrc, zIndex: 30, style: (f) => {
    const plan = f.get("plan"), t = f.getGeometry().getType();
    if (plan === "ellipse") return new ol.style.Style({ stroke: new ol.style.Stroke({ color: "#ff3b30", width: 2 }) });
    if (plan === "landing") return new ol.style.Style({ image: new ol.style.RegularShape({ points: 3, radius: 9, fill: new ol.style.Fill({ color: "#ff3b30" }), stroke: new ol.style.Stroke({ color: "#fff", width: 1.5 }) }) });
    if (t === "LineString") return new ol.style.Style({ stroke: new ol.style.Stroke({ color: f.get("name") === "planned route" || !f.get("name") ? "#00e5ff" : "rgba(200,200,200,0.8)", width: 2.5 }) });
    const rank = f.get("rank");
    return new ol.style.Style({ image: new ol.style.Circle({ radius: rank !== undefined ? 6 : 3, fill: new ol.style.Fill({ color: rank !== undefined ? "#ffd60a" : "#00e5ff" }), stroke: new ol.style.Stroke({ color: "#000", width: 1 }) }),
      text: rank !== undefined ? new ol.style.Text({ text: String(rank), offsetY: -12, font: "bold 11px system-ui", fill: new ol.style.Fill({ color: "#fff" }), stroke: new ol.style.Stroke({ color: "#000", width: 2 }) }) : undefined });
  } }));

  /* the Sun's shadow at the slider's time, the rover on its route */
  const sunLayer = new ol.layer.Image({ zIndex: 10, opacity: 1 });
  map.addLayer(sunLayer);
  const roverSrc = new ol.source.Vector();
  const rover = new ol.Feature({ geometry: new ol.geom.Point([0, 0]) });
  map.addLayer(new ol.layer.Vector({ source: roverSrc, zIndex: 40, style: new ol.style.Style({
    image: new ol.style.Circle({ radius: 8, fill: new ol.style.Fill({ color: "#ff9f0a" }), stroke: new ol.style.Stroke({ color: "#000", width: 2 }) }) }) }));
  const route = await getJSON("/api/route");
  LV.route = route;
  if (route && route.t_ms.length) roverSrc.addFeature(rover);
  /* the slider spans the run's window and the rover's whole route (a mission may outlast it) */
  let win = cfg.window ? cfg.window.map((s) => Date.parse(s)) : null;
  if (route && route.t_ms.length) {
    const r0 = route.t_ms[0], r1 = route.t_ms[route.t_ms.length - 1];
    win = win ? [Math.min(win[0], r0), Math.max(win[1], r1)] : [r0, r1];
  }
  LV.window = win;
  const sunInfo = cfg.horizons && win ? await getJSON("/api/sun?t=" + new Date(win[0]).toISOString()) : null;
  let sunBusy = false, sunWanted = null;
  function showSun(t) {
    if (!sunInfo || !$("sun-toggle").checked) { sunLayer.setVisible(false); return; }
    sunLayer.setVisible(true);
    sunWanted = t;
    if (sunBusy) return;
    sunBusy = true;
    const iso = new Date(t).toISOString().slice(0, 19) + "Z";
    const src = new ol.source.ImageStatic({ url: "/api/sun.png?t=" + iso, imageExtent: sunInfo.bounds, projection: proj });
    src.once(["imageloadend", "imageloaderror"], () => {
      sunBusy = false;
      LV.sunTime = iso;
      if (sunWanted !== t) showSun(sunWanted);
    });
    sunLayer.setSource(src);
    src.getImage(P.extent, 1, 1, proj).load();
  }
  function interp(t) {
    const ts = route.t_ms;
    let i = 0;
    if (t <= ts[0]) i = 0;
    else if (t >= ts[ts.length - 1]) i = ts.length - 2;
    else { let lo = 0, hi = ts.length - 1; while (hi - lo > 1) { const m = (lo + hi) >> 1; if (ts[m] <= t) lo = m; else hi = m; } i = lo; }
    i = Math.max(0, Math.min(i, ts.length - 2));
    const j = Math.min(i + 1, ts.length - 1);
    const f = ts[j] > ts[i] ? Math.min(1, Math.max(0, (t - ts[i]) / (ts[j] - ts[i]))) : 0;
    const at = (k) => (route[k] ? route[k][f < 0.5 ? i : j] : undefined);
    return { x: route.x_m[i] + f * (route.x_m[j] - route.x_m[i]), y: route.y_m[i] + f * (route.y_m[j] - route.y_m[i]),
             soc: route.soc_fraction ? route.soc_fraction[i] + f * (route.soc_fraction[j] - route.soc_fraction[i]) : undefined,
             action: at("activity") ?? at("action"), sunlit: at("sunlit"), earth: at("earth_visible") };
  }
  function setTime(frac) {
    if (!win) return;
    const t = win[0] + frac * (win[1] - win[0]);
    $("time-label").textContent = new Date(t).toISOString().slice(0, 16).replace("T", " ") + " UTC";
    showSun(t);
    if (route && route.t_ms.length) {
      const s = interp(t);
      rover.getGeometry().setCoordinates([s.x, s.y]);
      LV.rover = [s.x, s.y];
      const parts = [];
      if (t < route.t_ms[0]) parts.push("rover: before the traverse starts");
      else if (t > route.t_ms[route.t_ms.length - 1]) parts.push("rover: traverse finished");
      if (s.soc !== undefined) parts.push("battery " + (100 * s.soc).toFixed(0) + " %");
      if (s.action) parts.push("activity: " + s.action);
      if (s.sunlit !== undefined) parts.push(s.sunlit ? "in sunlight" : "in darkness");
      if (s.earth !== undefined) parts.push(s.earth ? "Earth visible" : "no Earth");
      $("rover-state").textContent = parts.join(" · ");
    }
  }
  const slider = $("time");
  slider.addEventListener("input", () => setTime(slider.value / 1000));
  $("sun-toggle").addEventListener("change", () => setTime(slider.value / 1000));
  let timer = null;
  $("play").addEventListener("click", () => {
    if (timer) { clearInterval(timer); timer = null; $("play").textContent = "▶ play"; return; }
    $("play").textContent = "❚❚ pause";
    timer = setInterval(() => { slider.value = (Number(slider.value) + 5) % 1001; setTime(slider.value / 1000); }, 250);
  });
  setTime(0);

  /* value of every visible layer under the cursor */
  const readout = $("readout");
  let pending = null, busy = false;
  async function readValues(coord) {
    busy = true;
    const [x, y] = coord;
    $("where").textContent = "x " + (x / 1000).toFixed(3) + " km, y " + (y / 1000).toFixed(3) + " km · " + latlonText(lonlatOf(x, y, P.polar));
    const rows = [];
    for (const layer of cfg.layers) {
      if (!olLayers[layer.id].getVisible()) continue;
      let v;
      try { v = await valueAt(layer, x, y); } catch (e) { v = NaN; }
      rows.push(`<tr data-layer="${layer.id}"><td>${layer.long_name}</td><td class="val">${v === undefined ? "outside" : fmt(v, layer)}</td></tr>`);
    }
    readout.innerHTML = rows.join("");
    LV.cursor = [x, y];
    busy = false;
    if (pending) { const c = pending; pending = null; readValues(c); }
  }
  map.on("pointermove", (e) => { if (busy) pending = e.coordinate; else readValues(e.coordinate); });

  /* the sky at a clicked point */
  map.on("singleclick", async (e) => {
    if (!cfg.horizons) { $("sky-label").textContent = "this run has no horizon store"; return; }
    $("sky-label").textContent = "computing…";
    const [x, y] = e.coordinate;
    const r = await fetch(`/api/sky?x=${x}&y=${y}`);
    const d = await r.json();
    if (!r.ok) { $("sky-label").textContent = d.error; return; }
    LV.sky = d;
    drawSky(d);
  });

  function legend() {
    const items = [];
    for (const layer of cfg.layers) {
      if (!olLayers[layer.id].getVisible()) continue;
      const grad = layer.kind === "mask" ? layer.stops[Math.round(0.85 * (layer.stops.length - 1))] :
        "linear-gradient(to right," + layer.stops.join(",") + ")";
      const ends = layer.kind === "mask" ? ["", "coloured: yes"] : [fmt(layer.vmin, layer), fmt(layer.vmax, layer)];
      items.push(`<div class="legend-item">${layer.long_name}${layer.units && layer.units !== "1" ? " [" + layer.units + "]" : ""}<div class="bar" style="background:${grad}"></div><div class="legend-ends"><span>${ends[0]}</span><span>${ends[1]}</span></div></div>`);
    }
    $("legend").innerHTML = items.join("");
  }
  legend();
  $("status").textContent = cfg.layers.length + " layers · " + P.code + " · click a point for its sky";
  LV.ready = true;
  document.body.dataset.ready = "1";
}

function drawSky(d) {
  const c = $("sky"), ctx = c.getContext("2d");
  const W = c.width, H = c.height, L = 34, B = 22, T = 8, R = 8;
  const hmax = Math.max(5, ...d.horizon_deg.filter(Number.isFinite), ...d.sun_elevation_deg, ...d.earth_elevation_deg) + 1;
  const hmin = Math.min(-2, ...d.horizon_deg.filter(Number.isFinite), ...d.sun_elevation_deg) - 1;
  const X = (az) => L + (az / 360) * (W - L - R), Y = (el) => T + (hmax - el) / (hmax - hmin) * (H - T - B);
  ctx.clearRect(0, 0, W, H);
  ctx.font = "10px system-ui"; ctx.fillStyle = "#333"; ctx.strokeStyle = "#ccc";
  for (let az = 0; az <= 360; az += 90) { ctx.beginPath(); ctx.moveTo(X(az), T); ctx.lineTo(X(az), H - B); ctx.stroke(); ctx.fillText(["N", "E", "S", "W", "N"][az / 90], X(az) - 3, H - 8); }
  const step = hmax - hmin > 20 ? 10 : 2;
  for (let el = Math.ceil(hmin / step) * step; el <= hmax; el += step) { ctx.beginPath(); ctx.moveTo(L, Y(el)); ctx.lineTo(W - R, Y(el)); ctx.stroke(); ctx.fillText(el + "°", 4, Y(el) + 3); }
  ctx.beginPath(); ctx.moveTo(X(0), H - B);
  d.azimuth_deg.forEach((az, i) => ctx.lineTo(X(az), Y(d.horizon_deg[i])));
  ctx.lineTo(X(360), Y(d.horizon_deg[0])); ctx.lineTo(X(360), H - B); ctx.closePath();
  ctx.fillStyle = "rgba(90,80,70,0.55)"; ctx.fill();
  const dots = (az, el, colour) => { ctx.fillStyle = colour; az.forEach((a, i) => { ctx.beginPath(); ctx.arc(X(a), Y(el[i]), 1.6, 0, 2 * Math.PI); ctx.fill(); }); };
  dots(d.earth_azimuth_deg, d.earth_elevation_deg, "#1f6feb");
  dots(d.sun_azimuth_deg, d.sun_elevation_deg, "#f59e0b");
  const lit = d.sun_fraction.filter((f) => f > 0).length / d.sun_fraction.length;
  const earth = d.earth_fraction.filter((f) => f > 0).length / d.earth_fraction.length;
  $("sky-label").textContent = latlonText([d.lon_deg, d.lat_deg]) + ", " + d.elevation_m.toFixed(0) +
    " m · Sun (orange) up " + (100 * lit).toFixed(0) + " % · Earth (blue) in view " + (100 * earth).toFixed(0) + " % of the window";
}

window.addEventListener("error", (e) => LV.errors.push(String(e.message)));
main().catch((e) => { LV.errors.push(String(e)); $("status").textContent = "error: " + e.message; console.error(e); });
