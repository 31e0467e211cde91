"""Request bodies streamed to disk in blocks, never held whole in memory, with a size limit."""

from __future__ import annotations

import os
import uuid

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request

from ._api import ApiError

__all__ = ["write_body", "write_body_to_file", "WRITE_BLOCK"]

WRITE_BLOCK = 1024 * 1024


async def write_body(request: Request, handle, limit: int, what: str = "Upload", digest=None) -> int:
    """Write the request body to the open binary ``handle`` in blocks of about WRITE_BLOCK bytes,
    feeding ``digest`` (a hashlib object) when given; return the body's size.

    Raises ApiError (BAD_REQUEST) as soon as the body passes ``limit`` bytes.
    """
    size, block, held = 0, [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise ApiError("BAD_REQUEST", f"{what} larger than the server's limit of {limit} bytes")
        if digest is not None:
            digest.update(chunk)
        block.append(chunk)
        held += len(chunk)
        if held >= WRITE_BLOCK:
            await run_in_threadpool(handle.write, b"".join(block))
            block, held = [], 0
    await run_in_threadpool(handle.write, b"".join(block))
    return size


async def write_body_to_file(request: Request, target: str, limit: int, what: str = "Upload", digest=None) -> int:
    """Write the request body to ``target`` through a ``.part-`` file beside it, renamed into place once
    complete (a failed or refused body leaves nothing behind); return the body's size.

    Raises ApiError (BAD_REQUEST) for a body over ``limit`` bytes, OSError when the disk refuses.
    """
    partial = f"{target}.part-{uuid.uuid4().hex[:8]}"
    handle = await run_in_threadpool(open, partial, "wb")
    try:
        size = await write_body(request, handle, limit, what, digest)
        await run_in_threadpool(handle.close)
        await run_in_threadpool(os.replace, partial, target)
    except BaseException:
        handle.close()
        if os.path.exists(partial):
            os.unlink(partial)
        raise
    return size
