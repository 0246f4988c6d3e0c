"""Property-based fuzzing of the JSON API: no request may answer 5xx or show a traceback.

Every operation of the app's OpenAPI schema (``/openapi.json``) is called with examples that
schemathesis generates from it: valid ones (positive) and ones that break the schema
(negative). Endpoints that read their JSON body themselves declare no body in the schema; their
docstrings name the fields (``{template?, metric, deadline, ...}``), so each gets a body with
those fields holding any JSON value, which is where type confusion hides.

    python scripts/fuzz_api.py --examples 200

runs against a throwaway copy of the demo workspace, served on 127.0.0.1 only (nothing of
yours is touched, nothing leaves the machine), and prints each operation that answered 5xx
with the smallest request found. tests/reliability/test_fuzz_api.py runs the same `fuzz` in
CI with a few examples per operation.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

#: Fewest and most examples per operation and mode the script accepts.
MIN_EXAMPLES, MAX_EXAMPLES = 1, 5000
#: Seconds a request may take before the script reports it as a problem (status 0).
TIMEOUT_S = 120
#: Path parameters held fixed: fuzzing a workspace slug only ever finds 404s.
FIXED_PATH = {"slug": "demo"}
_BODY_FIELDS = re.compile(r"``\{(.*?)\}``", re.DOTALL)
_NESTED = re.compile(r"\[[^\[\]]*\]|\{[^{}]*\}")


@dataclass
class Problem:
    """An operation that answered 5xx (or a traceback) and the request that did it."""

    operation: str
    status: int
    request: str
    answer: str

    def line(self) -> str:
        return f"{self.operation}: {self.status} for {self.request} -> {self.answer[:200]}"


def body_fields(description: str) -> list[str]:
    """Field names a docstring gives as ``{a, b?, c | d?}`` (the first such braces)."""
    m = _BODY_FIELDS.search(description or "")
    if not m:
        return []
    text = m[1]
    while _NESTED.search(text):  # drop nested lists and objects: their keys are not fields
        text = _NESTED.sub("", text)
    names = re.findall(r"[A-Za-z_][A-Za-z0-9_]*", re.sub(r":[^,]*", "", text))
    return sorted(set(names))


def with_bodies(openapi: dict[str, Any]) -> dict[str, Any]:
    """The schema with a JSON-object body on every POST/PUT/PATCH that declares none: its
    documented fields may hold any JSON value, and other keys are allowed too."""
    out = copy.deepcopy(openapi)
    for ops in out["paths"].values():
        for method, op in ops.items():
            if method.lower() in ("post", "put", "patch") and "requestBody" not in op:
                props: dict[str, Any] = {f: {} for f in body_fields(op.get("description", ""))}
                op["requestBody"] = {"content": {"application/json": {"schema": {
                    "type": "object", "properties": props}}}}
    return out


def request_of(case: Any) -> dict[str, Any]:
    """httpx keyword arguments for a generated case (query values that are not scalars are
    sent as JSON text, as a client would have to)."""
    kw = case.as_transport_kwargs(base_url="")
    params = {k: v if isinstance(v, str | int | float | bool) or v is None else json.dumps(v)
              for k, v in (kw.get("params") or {}).items()}
    headers = {k: v for k, v in (kw.get("headers") or {}).items()
               if k.lower() not in ("user-agent", "connection", "accept-encoding")
               and not k.lower().startswith("x-schemathesis")}
    out: dict[str, Any] = {"method": kw["method"], "url": kw["url"], "params": params,
                           "headers": headers}
    if "json" in kw:
        out["content"] = json.dumps(kw["json"]).encode()
        out["headers"]["Content-Type"] = "application/json"
    elif kw.get("data") is not None:
        data = kw["data"]
        out["content"] = data if isinstance(data, bytes) else str(data).encode()
    return out


def fuzz(openapi: dict[str, Any], send: Callable[[dict[str, Any]], tuple[int, str]],
         examples: int, seed: int = 0,
         progress: Callable[[str], None] | None = None) -> list[Problem]:
    """Call every operation with ``examples`` positive and ``examples`` negative cases through
    ``send(request) -> (status, text)`` (status 0: no answer in time); the smallest failing
    request per operation. ``progress`` hears each operation's name as it starts."""
    import schemathesis
    from schemathesis import openapi as sch_openapi

    schema = sch_openapi.from_dict(with_bodies(openapi))
    found: dict[str, Problem] = {}
    for result in schema.get_all_operations():
        op = result.ok()
        if progress is not None:
            progress(op.label)
        for mode in (schemathesis.GenerationMode.POSITIVE, schemathesis.GenerationMode.NEGATIVE):
            problem = _fuzz_operation(op, mode, send, examples, seed)
            if problem is not None:
                found[op.label] = problem
    return list(found.values())


def _fuzz_operation(op: Any, mode: Any, send: Callable[[dict[str, Any]], tuple[int, str]],
                    examples: int, seed: int) -> Problem | None:
    """One operation in one generation mode; the last (smallest) failing example, if any."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import seed as fixed_seed
    from hypothesis.errors import Unsatisfiable

    fixed = {k: v for k, v in FIXED_PATH.items() if f"{{{k}}}" in op.path}
    failures: list[Problem] = []

    @fixed_seed(seed)
    @settings(max_examples=examples, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(case=op.as_strategy(mode, path_parameters=fixed or None))
    def call(case: Any) -> None:
        req = request_of(case)
        status, text = send(req)
        if status >= 500 or status == 0 or "Traceback (most recent call last)" in text:
            failures.append(Problem(op.label, status, f"{req['method']} {req['url']} "
                                    f"{req['params']} {req.get('content', b'')[:300]!r}", text))
            raise AssertionError(failures[-1].line())

    try:
        call()
    except Unsatisfiable:  # nothing in this operation can be made invalid
        return None
    except AssertionError:
        return failures[-1]  # hypothesis ends on the smallest failing example
    return None


def _demo_home(folder: Path) -> Path:
    from socialpulse.bootstrap import local_actor, open_home
    from socialpulse.settings import Settings

    home = folder / "home"
    app = open_home(Settings(home=home), create=True)
    app.demo.build(local_actor(), date(2026, 10, 31))
    app.store.dispose()
    return home


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--examples", type=int, default=100,
                        help=f"examples per operation and mode ({MIN_EXAMPLES}-{MAX_EXAMPLES})")
    parser.add_argument("--seed", type=int, default=0, help="hypothesis seed (default 0)")
    args = parser.parse_args(argv)
    if not MIN_EXAMPLES <= args.examples <= MAX_EXAMPLES:
        parser.error(f"--examples: give {MIN_EXAMPLES} to {MAX_EXAMPLES}")

    import httpx

    from socialpulse.interfaces.web.app import create_app
    from socialpulse.settings import Settings

    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from tests.webfixtures import serve_app

    with tempfile.TemporaryDirectory() as tmp:
        print("building a throwaway demo workspace...", flush=True)
        web = create_app(Settings(home=_demo_home(Path(tmp))))
        with serve_app(web) as server, \
                httpx.Client(base_url=server.url, timeout=TIMEOUT_S) as http:
            assert server.url.startswith("http://127.0.0.1:")

            def send(req: dict[str, Any]) -> tuple[int, str]:
                try:
                    r = http.request(**req)
                except httpx.TimeoutException:
                    return 0, f"no answer within {TIMEOUT_S} s"
                return r.status_code, r.text

            n_ops = len(web.openapi()["paths"])
            print(f"fuzzing {n_ops} paths at {server.url}, {args.examples} examples per "
                  "operation and mode...", flush=True)
            problems = fuzz(web.openapi(), send, args.examples, args.seed,
                            lambda label: print(f"  {label}", flush=True))
    for p in problems:
        print(p.line())
    print(f"{len(problems)} operation(s) answered 5xx, a traceback or nothing in time")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
