"""The tag keys that tracking itself writes (``mlflow.*``, ``autolog.*``), and the SQL condition that tells a
row of another key apart; the store's index definitions and the search compiler share it word for word."""

SYSTEM_TAG_PREFIXES = ("mlflow.", "autolog.")


def is_system_key(key: str) -> bool:
    """Whether ``key`` is one of tracking's own (case matters, as in the SQL condition)."""
    return key.startswith(SYSTEM_TAG_PREFIXES)


def not_system_key_condition(column: str = "key") -> str:
    """The SQL condition, on ``column``, that holds for every key but tracking's own."""
    return " AND ".join(f"substr({column}, 1, {len(prefix)}) <> '{prefix}'" for prefix in SYSTEM_TAG_PREFIXES)
