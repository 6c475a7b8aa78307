"""Writing a scenario as commented TOML, and turning pydantic errors into one clear line each.

Every field's comment shows its unit, description, public source (``json_schema_extra
["source"]``) and allowed range; ``None`` fields are written commented out.
"""

from __future__ import annotations

from typing import Any

from annotated_types import Ge, Gt, Le, Lt
from pydantic import BaseModel, ValidationError


def _toml_value(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, (int, float)):
        return repr(v)
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(v, (list, tuple)):
        return "[" + ", ".join(_toml_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{k} = {_toml_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(v)


def _placeholder(info: Any, unit: str) -> str:
    """An example value of the right type for a field that is left out by default."""
    extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
    if "example" in extra:
        return _toml_value(extra["example"])
    ann = str(info.annotation)
    if "str" in ann:
        return '"2028-09-01T00:00:00"' if unit == "UTC" else '""'
    if "int" in ann and "float" not in ann:
        return "0"
    if "list" in ann:
        return "[]"
    return "0.0"


def emit(lines: list[str], model: BaseModel, *, prefix: str) -> None:
    nested = []
    for name, info in type(model).model_fields.items():
        v = getattr(model, name)
        if isinstance(v, BaseModel):
            nested.append((name, v))
            continue
        extra = info.json_schema_extra if isinstance(info.json_schema_extra, dict) else {}
        unit = extra.get("unit", "")
        source = extra.get("source", "")
        rng = _range_text(info)
        comment = "  # " + (f"[{unit}] " if unit else "") + (info.description or "") + \
            (f"; source: {source}" if source else "") + (f"; allowed {rng}" if rng else "")
        if v is None:
            lines.append(f"# {name} = {_placeholder(info, unit)}{comment} (omitted = none)")
        else:
            lines.append(f"{name} = {_toml_value(v)}{comment}")
    for name, v in nested:
        table = f"{prefix}{name}"
        lines.append("")
        doc = (type(v).__doc__ or "").strip().splitlines()[0]
        lines.append(f"[{table}]  # {doc}")
        emit(lines, v, prefix=f"{table}.")


def _bounds(info: Any) -> tuple[str, str] | None:
    lo = hi = None
    lo_open = hi_open = True
    for m in info.metadata:
        if isinstance(m, Gt):
            lo, lo_open = m.gt, True
        elif isinstance(m, Ge):
            lo, lo_open = m.ge, False
        elif isinstance(m, Lt):
            hi, hi_open = m.lt, True
        elif isinstance(m, Le):
            hi, hi_open = m.le, False
    if lo is None and hi is None:
        return None
    lo_s = "(-inf" if lo is None else ("(" if lo_open else "[") + f"{lo:g}"
    hi_s = "inf)" if hi is None else f"{hi:g}" + (")" if hi_open else "]")
    return lo_s, hi_s


def _range_text(info: Any) -> str:
    b = _bounds(info)
    return "" if b is None else f"{b[0]}, {b[1]}"


def _field_info(loc: tuple[Any, ...], root: Any) -> Any:
    model: Any = root
    info = None
    for part in loc:
        fields = getattr(model, "model_fields", None)
        if not fields or part not in fields:
            return info if isinstance(part, int) else None
        info = fields[part]
        ann = info.annotation
        model = ann if isinstance(ann, type) and issubclass(ann, BaseModel) else None
    return info


def explain(exc: ValidationError, source: str, root: Any) -> str:
    """One message per pydantic error: file, dotted field, value, allowed range, fix."""
    msgs = []
    for err in exc.errors():
        loc = tuple(err.get("loc", ()))
        dotted = ".".join(str(p) for p in loc)
        value = err.get("input")
        typ = err.get("type", "")
        info = _field_info(loc, root)
        unit = ""
        if info is not None and isinstance(info.json_schema_extra, dict):
            unit = info.json_schema_extra.get("unit", "")
        rng = _range_text(info) if info is not None else ""
        u = f" {unit}" if unit and unit not in ("1", "UTC") else ""
        if typ in ("greater_than", "greater_than_equal", "less_than", "less_than_equal") and rng:
            msgs.append(f"{source}: {dotted} = {value!r} is outside the allowed range {rng}{u}.")
        elif typ in ("literal_error", "enum"):
            want = err.get("msg", "").replace("Input should be ", "")
            msgs.append(f"{source}: {dotted} = {value!r} is not allowed; use {want}.")
        elif typ == "extra_forbidden":
            parent = _field_info(loc[:-1], root) if len(loc) > 1 else None
            model = parent.annotation if parent is not None else root
            allowed = ", ".join(getattr(model, "model_fields", {}).keys())
            msgs.append(f"{source}: unknown field {dotted} (allowed here: {allowed}).")
        elif typ.endswith("_parsing") or typ.endswith("_type") or typ == "finite_number":
            want = err.get("msg", "").replace("Input should be ", "")
            extra = f"; allowed range {rng}{u}" if rng else ""
            msgs.append(f"{source}: {dotted} = {value!r} is not {want}{extra}.")
        else:
            text = err.get("msg", "").removeprefix("Value error, ")
            if text.split(" ", 1)[0] in getattr(_model_at(loc, root), "model_fields", {}):
                text = f"{dotted + '.' if dotted else ''}{text}"
            elif dotted:
                text = f"{dotted}: {text}"
            msgs.append(f"{source}: {text.rstrip('.')}.")
    return " ".join(msgs)


def _model_at(loc: tuple[Any, ...], root: Any) -> Any:
    if not loc:
        return root
    info = _field_info(loc, root)
    return info.annotation if info is not None else None
