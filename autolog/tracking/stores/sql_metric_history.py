"""Metric history read a page or a chunk at a time, so a 10-million-point history never sits in memory."""

from __future__ import annotations

import itertools

from ..entities import Metric, PagedList
from ..exceptions import InvalidInputError, NotFoundError
from .. import metric_codec

__all__ = ["SqlMetricHistoryMixin"]

_SEGMENTS_PER_QUERY = 32


def _offset_from_token(page_token) -> int:
    if not page_token:
        return 0
    try:
        offset = int(page_token)
    except (TypeError, ValueError):
        offset = -1
    if offset < 0:
        raise InvalidInputError(f"Invalid page token {page_token!r} for a metric history")
    return offset


class SqlMetricHistoryMixin:
    """Chunked and paged reads of ``metric_segments`` (mixed into SqlStore)."""

    def _segment_counts(self, run_id: str, key: str) -> list:
        rows = self.db.query("SELECT seq, count FROM metric_segments WHERE run_uuid = ? AND key = ? ORDER BY seq",
                             (run_id, key))
        if not rows and not self.db.query("SELECT 1 FROM runs WHERE run_uuid = ?", (run_id,)):
            raise NotFoundError(f"No run with id {run_id!r}")
        return rows

    def _read_segments(self, run_id: str, key: str, first_seq, last_seq):
        rows = self.db.query("SELECT steps, timestamps, vals FROM metric_segments WHERE run_uuid = ? AND key = ?"
                             " AND seq >= ? AND seq <= ? ORDER BY seq", (run_id, key, first_seq, last_seq))
        for blobs in rows:
            yield metric_codec.unpack(*blobs)

    def iter_metric_history(self, run_id: str, key: str):
        """Yield a metric's history as lists of Metric, a few stored segments at a time, in logging order.

        Raises NotFoundError for an unknown run (before the first chunk).
        """
        counts = self._segment_counts(run_id, key)
        return self._iter_chunks(run_id, key, [seq for seq, _ in counts])

    def _iter_chunks(self, run_id: str, key: str, seqs: list):
        for start in range(0, len(seqs), _SEGMENTS_PER_QUERY):
            chunk = seqs[start:start + _SEGMENTS_PER_QUERY]
            points = []
            for steps, stamps, values in self._read_segments(run_id, key, chunk[0], chunk[-1]):
                points.extend(Metric(key, value, stamp, step) for step, stamp, value in zip(steps, stamps, values))
            yield points

    def get_metric_history_page(self, run_id: str, key: str, max_results: int, page_token=None) -> PagedList:
        """One page of a metric's history (``max_results`` points from the token's offset) and the next token.

        Raises NotFoundError for an unknown run, InvalidInputError for a bad token or max_results.
        """
        if isinstance(max_results, bool) or not isinstance(max_results, int) or max_results < 1:
            raise InvalidInputError(f"Invalid max_results {max_results!r}: expected a positive integer")
        offset = _offset_from_token(page_token)
        counts = self._segment_counts(run_id, key)
        total = sum(count for _, count in counts)
        page, position = [], 0
        for seq, count in counts:
            if position + count <= offset:
                position += count
                continue
            if len(page) >= max_results:
                break
            for steps, stamps, values in self._read_segments(run_id, key, seq, seq):
                skip = max(offset - position, 0)
                take = max_results - len(page)
                points = itertools.islice(zip(steps, stamps, values), skip, skip + take)
                page.extend(Metric(key, value, stamp, step) for step, stamp, value in points)
            position += count
        end = offset + len(page)
        return PagedList(page, str(end) if end < total else None)
