"""The dashboards' cache: computed figures kept per dashboard, filter set and day under the data version."""

from __future__ import annotations

from datetime import date


def cached(kind: str, filters_key: str, today: date, compute, *, memo: bool = False):
    """``compute()``'s result, cached per dashboard, filter set and day under the data version.

    Approvals, reopenings, corrections and target changes bump the version in
    their own transaction, so a cached figure never outlives the numbers it
    came from; the day is part of the key because statuses depend on it.
    ``memo`` also keeps the value in this process (for small values asked on
    every request): safe with many workers, as the key holds the data version.
    """
    import hashlib

    from wcc.dashboards.rollups import data_version
    from wcc.extensions import cache

    version = data_version()
    raw = f"{version}|{today.isoformat()}|{kind}|{filters_key}"
    key = "dash:" + hashlib.sha256(raw.encode()).hexdigest()[:32]
    memo = memo and version != 0  # 0: no version drawn yet, so it names no particular data
    if memo and key in _MEMO:
        return _MEMO[key]
    value = cache.get(key)
    if value is None:
        value = compute()
        cache.set(key, value, timeout=CACHE_SECONDS)
    if memo:
        if len(_MEMO) >= MEMO_SIZE:
            _MEMO.clear()
        _MEMO[key] = value
    return value


#: Small values kept per process by ``cached(memo=True)``, keyed like the shared cache.
_MEMO: dict[str, object] = {}


MEMO_SIZE = 64


#: Entries are keyed by data version, so they only expire to free memory.
CACHE_SECONDS = 6 * 3600
