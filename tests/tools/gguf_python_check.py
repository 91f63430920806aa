#!/usr/bin/env python3
"""Reads a GGUF file with the PyPI `gguf` package and prints its layout as JSON.

Used by tests/unit/gguf_python_test.cpp to cross-check swapbench's writer against an independent
reader. Output: {"version", "alignment", "data_offset", "tensors": [{name, shape (ne0 first),
type (lower-case ggml name), n_bytes, offset (relative to the data section), data_hex (first
16 bytes)}], "kv": {key: {"types": [...], "value": ...}}}.
"""
import json
import sys

import gguf


def field_value(field):
    """A JSON-able value: scalars, strings, and lists of them (nested arrays as lists)."""
    main = field.types[0]
    if main == gguf.GGUFValueType.ARRAY and len(field.types) > 2:
        # gguf's contents() does not decode nested arrays; report the outer length only.
        return {"nested_len": len(field.data)}
    value = field.contents()
    if hasattr(value, "tolist"):
        value = value.tolist()
    return value


def main():
    reader = gguf.GGUFReader(sys.argv[1], "r")
    data_offset = reader.data_offset
    out = {"alignment": int(reader.alignment), "data_offset": int(data_offset), "kv": {},
           "tensors": []}
    for name, field in reader.fields.items():
        if name.startswith("GGUF."):
            if name == "GGUF.version":
                out["version"] = int(field.parts[field.data[0]][0])
            continue
        out["kv"][name] = {"types": [t.name.lower() for t in field.types],
                           "value": field_value(field)}
    for t in reader.tensors:
        raw = t.data.tobytes()
        out["tensors"].append({
            "name": t.name,
            "shape": [int(d) for d in t.shape],
            "type": t.tensor_type.name.lower(),
            "n_bytes": int(t.n_bytes),
            "offset": int(t.data_offset) - int(data_offset),
            "data_hex": raw[:16].hex(),
        })
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
