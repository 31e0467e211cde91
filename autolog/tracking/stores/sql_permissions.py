"""Per-experiment permissions of the tracking server's users (mixed into SqlStore).

A row gives one user ``read``, ``edit`` or ``manage`` on one experiment. The creator's row is
marked ``is_creator``: it makes the creator a manager without closing the experiment to others.
An experiment is *restricted* once it has a row that is not the creator's: from then on a user
without a row has no access (admins excepted, which the server decides).
"""

from __future__ import annotations

from ..exceptions import InvalidInputError, NotFoundError

__all__ = ["SqlPermissionsMixin", "PERMISSIONS", "ExperimentPermission", "ExperimentAccess"]

PERMISSIONS = ("read", "edit", "manage")


class ExperimentPermission:
    """One grant: experiment id, user name, permission, and whether it is the creator's."""

    __slots__ = ("experiment_id", "user_name", "permission", "is_creator")

    def __init__(self, experiment_id, user_name, permission, is_creator=False):
        self.experiment_id = str(experiment_id)
        self.user_name = user_name
        self.permission = permission
        self.is_creator = bool(is_creator)

    def __repr__(self) -> str:
        return (f"ExperimentPermission(experiment_id={self.experiment_id!r}, user_name={self.user_name!r}, "
                f"permission={self.permission!r})")


class ExperimentAccess:
    """What the store knows of one user on one experiment: their granted permission (or None) and
    whether the experiment is restricted."""

    __slots__ = ("permission", "restricted")

    def __init__(self, permission=None, restricted=False):
        self.permission = permission
        self.restricted = restricted


def _checked(user_name, permission) -> None:
    if not isinstance(user_name, str) or not user_name.strip():
        raise InvalidInputError(f"Invalid user name {user_name!r}: it must be a non-empty string")
    if permission not in PERMISSIONS:
        raise InvalidInputError(f"Invalid permission {permission!r}: expected one of {', '.join(PERMISSIONS)}")


class SqlPermissionsMixin:
    """Grant, revoke, list and look up per-experiment permissions."""

    def set_experiment_permission(self, experiment_id, user_name: str, permission: str,
                                  is_creator: bool = False) -> ExperimentPermission:
        """Give ``user_name`` ``permission`` on the experiment (replacing an earlier grant).

        Raises InvalidInputError for an empty user or unknown permission, NotFoundError for an unknown experiment.
        """
        _checked(user_name, permission)
        experiment_id = str(self.get_experiment(str(experiment_id)).experiment_id)
        with self.db.write() as cur:
            cur.execute("DELETE FROM experiment_permissions WHERE experiment_id = ? AND user_name = ?",
                        (experiment_id, user_name))
            cur.execute("INSERT INTO experiment_permissions (experiment_id, user_name, permission, is_creator)"
                        " VALUES (?, ?, ?, ?)", (experiment_id, user_name, permission, 1 if is_creator else 0))
        return ExperimentPermission(experiment_id, user_name, permission, is_creator)

    def delete_experiment_permission(self, experiment_id, user_name: str) -> None:
        """Remove the user's grant on the experiment; raises NotFoundError when there is none."""
        with self.db.write() as cur:
            cur.execute("DELETE FROM experiment_permissions WHERE experiment_id = ? AND user_name = ?",
                        (str(experiment_id), user_name))
            removed = cur.rowcount
        if not removed:
            raise NotFoundError(f"User {user_name!r} has no permission on experiment {experiment_id}")

    def list_experiment_permissions(self, experiment_id=None, user_name=None) -> list:
        """The grants, optionally of one experiment and/or one user, ordered by experiment then user."""
        clauses, values = [], []
        if experiment_id is not None:
            clauses.append("experiment_id = ?")
            values.append(str(experiment_id))
        if user_name is not None:
            clauses.append("user_name = ?")
            values.append(user_name)
        where = (" WHERE " + " AND ".join(clauses)) if clauses else ""
        rows = self.db.query("SELECT experiment_id, user_name, permission, is_creator FROM experiment_permissions"
                             f"{where} ORDER BY experiment_id, user_name", tuple(values))
        return [ExperimentPermission(*row) for row in rows]

    def experiment_access(self, experiment_ids, user_name) -> dict:
        """{experiment id: ExperimentAccess} of ``user_name`` for each of ``experiment_ids``."""
        ids = [str(experiment_id) for experiment_id in experiment_ids]
        access = {experiment_id: ExperimentAccess() for experiment_id in ids}
        for start in range(0, len(ids), 500):
            part = ids[start:start + 500]
            marks = ", ".join("?" for _ in part)
            rows = self.db.query("SELECT experiment_id, user_name, permission, is_creator FROM experiment_permissions"
                                 f" WHERE experiment_id IN ({marks})", tuple(part))
            for experiment_id, user, permission, is_creator in rows:
                entry = access[str(experiment_id)]
                if user == user_name:
                    entry.permission = permission
                if not is_creator:
                    entry.restricted = True
        return access

    def experiment_id_of_run(self, run_id: str) -> str:
        """The experiment id of a run; raises NotFoundError for an unknown run."""
        rows = self.db.query("SELECT experiment_id FROM runs WHERE run_uuid = ?", (str(run_id),))
        if not rows:
            raise NotFoundError(f"Run with id={run_id} not found")
        return str(rows[0][0])
