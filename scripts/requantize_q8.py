#!/usr/bin/env python3
"""Re-quantizes a GGUF's Q4_1 tensors to Q8_0 and writes a new GGUF with the same metadata
and the other tensors unchanged: a "different model" for the generation-audit calibration
(`verinfer-worker calibrate-llm --other-model`), as close to the original as a cheaper or
better quantization of the same weights gets.

Usage: python3 scripts/requantize_q8.py IN.gguf OUT.gguf
Needs: pip install numpy gguf==0.19.0
"""
import sys

import numpy as np
import gguf
from gguf.quants import dequantize, quantize

Q = gguf.GGMLQuantizationType


def main(src: str, dst: str) -> None:
    reader = gguf.GGUFReader(src)
    arch = reader.get_field("general.architecture").contents()
    writer = gguf.GGUFWriter(dst, arch)
    for field in reader.fields.values():
        if field.name.startswith("GGUF.") or field.name == "general.architecture":
            continue
        vtype = field.types[0]
        sub = field.types[1] if vtype == gguf.GGUFValueType.ARRAY else None
        writer.add_key_value(field.name, field.contents(), vtype, sub)
    writer.add_string("general.name", "SmolLM2-135M-Instruct (Q4_1 re-quantized to Q8_0)")
    changed = 0
    for t in reader.tensors:
        # GGUF lists dimensions fastest first; numpy wants them the other way round.
        shape = tuple(int(d) for d in reversed(t.shape.tolist()))
        if t.tensor_type == Q.Q4_1:
            values = dequantize(t.data, Q.Q4_1).reshape(shape).astype(np.float32)
            data = quantize(values, Q.Q8_0)
            writer.add_tensor(t.name, data, raw_shape=data.shape, raw_dtype=Q.Q8_0)
            changed += 1
        else:
            writer.add_tensor(t.name, t.data, raw_shape=t.data.shape, raw_dtype=t.tensor_type)
    writer.write_header_to_file()
    writer.write_kv_data_to_file()
    writer.write_tensors_to_file()
    writer.close()
    print(f"wrote {dst}: {changed} Q4_1 tensors re-quantized to Q8_0")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
