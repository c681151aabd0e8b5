"""How zwgk keeps bytes and objects in its cache files: Zstandard level 1 (three times faster than
zlib level 1 both ways, and smaller, on HTML), with zlib still read for files written before."""

from __future__ import annotations

import pickle
import zlib

import zstandard

ZSTD_MAGIC = b"\x28\xb5\x2f\xfd"
_compressor: zstandard.ZstdCompressor | None = None
_decompressor: zstandard.ZstdDecompressor | None = None


def compress(data: bytes) -> bytes:
    global _compressor
    if _compressor is None:  # one per process, used from one thread (the reactor's, or a parse worker)
        _compressor = zstandard.ZstdCompressor(level=1)
    return _compressor.compress(data)


def decompress(blob: bytes) -> bytes:
    global _decompressor
    if not blob.startswith(ZSTD_MAGIC):
        return zlib.decompress(blob)
    if _decompressor is None:
        _decompressor = zstandard.ZstdDecompressor()
    return _decompressor.decompress(blob)


def pack(obj) -> bytes:
    """Pickled and compressed. Raises what pickle raises for an object that cannot be pickled."""
    return compress(pickle.dumps(obj, pickle.HIGHEST_PROTOCOL))


def unpack(blob: bytes):
    return pickle.loads(decompress(blob))
