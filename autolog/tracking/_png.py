"""Images as PNG bytes: PIL images through PIL, numpy arrays with a small encoder (no imaging library)."""

from __future__ import annotations

import struct
import zlib

from .exceptions import InvalidInputError

__all__ = ["image_png_bytes"]

_COLOUR_TYPES = {1: 0, 3: 2, 4: 6}  # channels -> PNG colour type (grey, RGB, RGBA)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def image_png_bytes(image) -> bytes:
    """PNG bytes of a PIL image or a numpy array (H x W, H x W x 1/3/4; uint8, or floats in [0, 1]).

    Raises InvalidInputError for other shapes, types, or float values outside [0, 1].
    """
    if hasattr(image, "save") and hasattr(image, "mode"):  # a PIL image
        import io

        buffer = io.BytesIO()
        image.save(buffer, format="PNG")
        return buffer.getvalue()
    import numpy as np

    array = np.asarray(image)
    if array.ndim == 2:
        array = array[:, :, None]
    if array.ndim != 3 or array.shape[2] not in _COLOUR_TYPES or 0 in array.shape:
        raise InvalidInputError(f"Invalid image of shape {array.shape}: expected H x W, or H x W x 1, 3 or 4")
    if array.dtype.kind == "f":
        if array.size and (np.nanmin(array) < 0 or np.nanmax(array) > 1):
            raise InvalidInputError("Invalid float image: values must lie in [0, 1]")
        array = np.round(np.nan_to_num(array) * 255)
    elif array.dtype.kind in "iub" and array.size and (array.min() < 0 or array.max() > 255):
        raise InvalidInputError("Invalid integer image: values must lie in 0..255")
    elif array.dtype.kind not in "iubf":
        raise InvalidInputError(f"Invalid image dtype {array.dtype}: expected integers or floats")
    pixels = np.ascontiguousarray(array.astype(np.uint8))
    height, width, channels = pixels.shape
    rows = b"".join(b"\x00" + pixels[row].tobytes() for row in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, _COLOUR_TYPES[channels], 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")
