"""Counting the write transactions of the tracking store in effect (the real database still does them)."""

import autolog


def count_write_transactions(monkeypatch) -> list:
    """A list that gets one entry per write transaction the store's database starts from now on."""
    database, counted = autolog.Client()._store.db, []
    write = database.write

    def counting_write():
        counted.append(1)
        return write()

    monkeypatch.setattr(database, "write", counting_write)
    return counted
