"""Password hashes with argon2id, through argon2-cffi (the reference C implementation).

Why argon2id: it won the Password Hashing Competition and is what OWASP recommends first; it
is memory-hard, so guessing on GPUs costs memory as well as time. argon2-cffi encodes the
parameters and the salt in the hash (``$argon2id$v=19$m=65536,t=3,p=4$...``), so a hash made
with older parameters still verifies, and `needs_rehash` tells the service to store a new one
at the next sign-in. The defaults are the library's (RFC 9106's second recommended option:
64 MiB, 3 passes, 4 lanes); tests pass cheaper ones to stay quick.
"""

from __future__ import annotations

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError


class Argon2Passwords:
    """The `PasswordHasher` port. ``verify`` never raises for a wrong password or a hash it
    cannot read: it answers False (the comparison inside is constant-time)."""

    def __init__(self, time_cost: int | None = None, memory_cost: int | None = None,
                 parallelism: int | None = None) -> None:
        defaults = PasswordHasher()
        self._hasher = PasswordHasher(
            time_cost=time_cost or defaults.time_cost,
            memory_cost=memory_cost or defaults.memory_cost,
            parallelism=parallelism or defaults.parallelism,
            type=Type.ID,
        )

    def hash(self, password: str) -> str:
        return self._hasher.hash(password)

    def verify(self, encoded: str, password: str) -> bool:
        try:
            return self._hasher.verify(encoded, password)
        except (VerificationError, InvalidHashError):
            return False

    def needs_rehash(self, encoded: str) -> bool:
        try:
            return self._hasher.check_needs_rehash(encoded)
        except (InvalidHashError, ValueError):
            return True
