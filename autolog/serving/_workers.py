"""Score batches in worker processes: each loads the model once, results come back in input order.

Processes are started with ``spawn`` (forking a process whose framework already runs
OpenMP threads can hang), and at most two batches per worker are in flight, so memory
stays bounded however large the input is.
"""

from __future__ import annotations

import collections
import multiprocessing
from concurrent.futures import ProcessPoolExecutor

__all__ = ["score_in_processes"]

_scorer = None  # the BatchScorer of this worker process


def _init_worker(model_dir: str, columns, keep_columns) -> None:
    global _scorer
    import flavors.pyfunc

    from ._batch import BatchScorer

    _scorer = BatchScorer(flavors.pyfunc.load_model(model_dir, suppress_warnings=True), columns, keep_columns)


def _score(batch, index: int, first_row: int):
    from ._batch import score_batch

    return score_batch(_scorer, batch, index, first_row)


def score_in_processes(batches, workers: int, model_dir: str, columns, keep_columns):
    """Yield the scored RecordBatches of ``batches`` ((index, first row, batch) tuples), scored by
    ``workers`` processes, in input order."""
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(workers, mp_context=context, initializer=_init_worker,
                             initargs=(model_dir, columns, keep_columns)) as pool:
        pending = collections.deque()
        try:
            for index, first_row, batch in batches:
                pending.append(pool.submit(_score, batch, index, first_row))
                if len(pending) >= 2 * workers:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
