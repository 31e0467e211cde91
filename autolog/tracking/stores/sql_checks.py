"""Checks that the SQL stores make before adding to an experiment: inside a write transaction, or after one
that wrote only into an active experiment."""

from __future__ import annotations

from ..entities import LifecycleStage
from ..exceptions import InvalidInputError, NotFoundError

__all__ = ["require_active_experiment", "experiment_refusal"]


def require_active_experiment(cur, experiment_int: int, experiment_id, to_do: str) -> None:
    """Raise NotFoundError when experiment ``experiment_int`` does not exist, InvalidInputError (saying it
    must be restored ``to_do``, e.g. "to add runs") when it is deleted."""
    refusal = _refusal(cur.execute(_STATE, (experiment_int,)).fetchone(), experiment_id, to_do)
    if refusal is not None:
        raise refusal


def experiment_refusal(db, experiment_int: int, experiment_id, to_do: str):
    """After a write that adds to an experiment only while it is active wrote nothing: the error that says why
    (as ``require_active_experiment`` raises it), read from ``db``; None when the experiment is active now."""
    rows = db.query(_STATE, (experiment_int,))
    return _refusal(rows[0] if rows else None, experiment_id, to_do)


_STATE = "SELECT lifecycle_stage, name FROM experiments WHERE experiment_id = ?"


def _refusal(row, experiment_id, to_do: str):
    if row is None:
        return NotFoundError(f"No experiment with id {experiment_id!r}")
    if row[0] != LifecycleStage.ACTIVE:
        return InvalidInputError(f"Experiment {row[1]!r} is deleted; restore it {to_do}")
    return None
