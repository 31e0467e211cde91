"""Checks that the SQL stores make inside a write transaction before adding to an experiment."""

from __future__ import annotations

from ..entities import LifecycleStage
from ..exceptions import InvalidInputError, NotFoundError

__all__ = ["require_active_experiment"]


def require_active_experiment(cur, experiment_int: int, experiment_id, to_do: str) -> None:
    """Raise NotFoundError when experiment ``experiment_int`` does not exist, InvalidInputError (saying it
    must be restored ``to_do``, e.g. "to add runs") when it is deleted."""
    row = cur.execute("SELECT lifecycle_stage, name FROM experiments WHERE experiment_id = ?",
                      (experiment_int,)).fetchone()
    if row is None:
        raise NotFoundError(f"No experiment with id {experiment_id!r}")
    if row[0] != LifecycleStage.ACTIVE:
        raise InvalidInputError(f"Experiment {row[1]!r} is deleted; restore it {to_do}")
