"""Password hashing with argon2id (argon2-cffi), off the event loop.

A hash costs tens of milliseconds of CPU. On the event loop it would stall
every other request of the process (health checks, availability, holds)
for that long, so hashing runs in a small thread pool: argon2-cffi releases
the GIL while it hashes. The pool's line is bounded: past `threads + queue`
hashes in flight a login is refused at once with `Busy` (503 + Retry-After)
instead of piling up behind a rush, and an unknown email waits in the same
line as a known one (the dummy hash), so it cannot be used to jump it.

Parameters (OWASP Password Storage Cheat Sheet, argon2id): the floor is
m=19 MiB, t=2, p=1; of OWASP's equivalent settings with at least that much
memory it is also the cheapest measured here (~34 ms of CPU against ~79 ms
for m=46 MiB, t=1; docs/benchmarks.md), so it is the default. A stored hash
made with other parameters is rehashed at the next successful login.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import TypeVar

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from boxoffice.errors import Busy

T = TypeVar("T")

MEMORY_KIB = 19 * 1024
TIME_COST = 2
PARALLELISM = 1
NICE = 10  # the hashing threads' niceness, above the loop's
HASH_SECONDS = 0.05  # a generous guess of one hash on a busy core, for Retry-After


def default_hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=TIME_COST, memory_cost=MEMORY_KIB, parallelism=PARALLELISM)


class Passwords:
    """Hashes and checks passwords in a bounded pool; `verify_dummy` spends
    the same time when there is no account, so timing does not tell which
    emails exist."""

    def __init__(
        self, hasher: PasswordHasher | None = None, *, threads: int | None = None, queue: int = 64
    ) -> None:
        self._hasher = hasher or default_hasher()
        self.threads = threads or max(1, os.cpu_count() or 1)
        self.limit = self.threads + queue
        self.in_flight = 0
        self._pool = ThreadPoolExecutor(self.threads, thread_name_prefix="argon2", initializer=_yield_cpu)
        self._dummy_hash = self._hasher.hash("not-a-real-password-for-timing")

    async def _run(self, work: Callable[[], T]) -> T:
        """`work` on a pool thread; Busy at once when the line is full."""
        if self.in_flight >= self.limit:
            drain = math.ceil(self.limit / self.threads * HASH_SECONDS)  # the line, emptied
            raise Busy("Many fans are logging in right now; try again in a moment.",
                       retry_after=max(1, drain))  # fmt: skip
        self.in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(self._pool, work)
        finally:
            self.in_flight -= 1

    async def hash(self, password: str) -> str:
        return await self._run(lambda: self._hasher.hash(password))

    async def verify(self, password_hash: str, password: str) -> bool:
        return await self._run(lambda: self._check(password_hash, password))

    async def verify_dummy(self, password: str) -> None:
        await self.verify(self._dummy_hash, password)

    def _check(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._hasher.check_needs_rehash(password_hash)

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _yield_cpu() -> None:
    """Run the hashing thread at a lower priority than the event loop's (Linux
    nice is per thread): when the cores are busy hashing, a health check or an
    availability read still gets the CPU at once."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICE)


def fast_hasher() -> PasswordHasher:
    """Cheap parameters for tests only: still argon2id, just quick."""
    return PasswordHasher(time_cost=1, memory_cost=256, parallelism=1)
