"""A minimal safetensors writer/reader (the format is a JSON header + raw little-endian tensors)."""
import json
import struct

import numpy as np
import torch

_DTYPES = {torch.float32: 'F32', torch.float16: 'F16', torch.int64: 'I64', torch.float64: 'F64'}
_NP = {'F32': np.float32, 'F16': np.float16, 'I64': np.int64, 'F64': np.float64}


def save(state_dict, path, metadata=None):
    header, blobs, offset = {}, [], 0
    for name, t in state_dict.items():
        t = t.detach().contiguous().cpu()
        data = t.numpy().tobytes()
        header[name] = {'dtype': _DTYPES[t.dtype], 'shape': list(t.shape), 'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    if metadata:
        header['__metadata__'] = {k: str(v) for k, v in metadata.items()}
    raw = json.dumps(header).encode()
    raw += b' ' * (-len(raw) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def load(path):
    with open(path, 'rb') as f:
        n = struct.unpack('<Q', f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, h in header.items():
        if name == '__metadata__':
            continue
        b, e = h['data_offsets']
        out[name] = torch.from_numpy(np.frombuffer(data[b:e], dtype=_NP[h['dtype']]).reshape(h['shape']).copy())
    return out
