"""What every route of the web app needs, as data, and the check that enforces it.

Each route is one of:

- **public**: anyone, signed in or not (`PUBLIC`: sign-in pages, the OpenAPI schema, static
  files);
- **signed in**: any acting user, no workspace involved (`SIGNED_IN`: the metric catalogue,
  the list of import formats...; lists of workspaces show only the actor's own);
- **an Action in a workspace**: the workspace the path (``{slug}``) or ``?workspace=`` names,
  else the first one the actor may see. A GET reads (`Action.WORKSPACE_READ`) unless
  `READS` names another action; a write (POST, PUT, PATCH, DELETE) names its action in
  `WRITES`.

`check_route` runs before every route (a dependency of every router, `app.py`): a workspace
the actor may not see answers 404 as if it did not exist, an action they may not do there
403. The services still authorize every write themselves (`domain.actor.authorize`); this
check is the same decision taken once per request from the route table, so that reads, which
services do not authorize, are covered too. `tests/access/test_rbac_matrix.py` fails for any
route of the app this table does not classify, so a new route cannot escape it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated

from fastapi import Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from socialpulse.domain.actor import Action, allowed, authorize
from socialpulse.domain.roles import SITE_ACTIONS

from .common import WORKSPACE_PARAM, acting, readable_workspace

#: Paths anyone may request (templates as the route table writes them; a prefix ending in
#: "/" covers what is under it).
PUBLIC: frozenset[str] = frozenset({
    "/openapi.json",
    "/static/",
    "/signin",
    "/signout",
    "/setup/{token}",
    "/reset/{token}",
    "/oidc/signin",
    "/oidc/callback",
    # an alert's link from a message: the token in the path is the capability (its POST
    # acknowledges as the signed-in user, authorized by the service in the token's workspace)
    "/alerts/ack/{token}",
})

#: (method, path) of routes that need an acting user but no workspace.
SIGNED_IN: frozenset[tuple[str, str]] = frozenset({
    ("GET", "/api/workspaces"),  # lists only the actor's workspaces
    ("GET", "/api/metrics"),
    ("GET", "/metrics/catalogue"),
    ("GET", "/api/goal-templates"),
    ("GET", "/api/goal-types"),
    ("GET", "/api/maturity/questionnaire"),
    ("GET", "/api/maturity/benchmarks"),
    ("GET", "/api/import/formats"),
    ("POST", "/api/listening/classify"),  # language and sentiment of the texts sent
    ("POST", "/signout/everywhere"),
    ("GET", "/account"),  # the signed-in user's own account
    ("POST", "/account/password"),
})

#: GET routes that need more than reading the workspace.
READS: Mapping[tuple[str, str], Action] = {
    ("GET", "/activity"): Action.AUDIT_READ,
    ("GET", "/api/workspaces/{slug}/activity"): Action.AUDIT_READ,
}

_G, _L, _M = Action.GOALS_EDIT, Action.LISTENING_EDIT, Action.MATURITY_EDIT
_C = Action.CONNECTIONS_EDIT
_IM = Action.INBOX_MANAGE
_WS = "/api/workspaces/{slug}"

#: What each write needs in its workspace (or site-wide, for `SITE_ACTIONS`).
WRITES: Mapping[tuple[str, str], Action] = {
    ("PATCH", _WS): Action.WORKSPACE_EDIT,
    ("PATCH", f"{_WS}/accounts/{{account}}"): Action.WORKSPACE_EDIT,
    ("POST", "/workspace/settings"): Action.WORKSPACE_EDIT,
    ("POST", "/workspace/accounts/{account_id}"): Action.WORKSPACE_EDIT,
    ("POST", "/workspace/batches/{batch_id}/remove"): Action.DATA_REMOVE,
    ("DELETE", f"{_WS}/batches/{{batch_id}}"): Action.DATA_REMOVE,
    ("POST", f"{_WS}/goals"): _G,
    ("POST", f"{_WS}/goals/{{goal_id}}/checkins"): _G,
    ("PATCH", f"{_WS}/goals/{{goal_id}}"): _G,
    ("POST", f"{_WS}/goals/{{goal_id}}/archive"): _G,
    ("POST", f"{_WS}/okrs"): _G,
    ("POST", f"{_WS}/okrs/{{objective_id}}/grades"): _G,
    ("POST", "/goals/new"): _G,
    ("POST", "/goals/{goal_id}/checkin"): _G,
    ("POST", "/goals/{goal_id}/revise"): _G,
    ("POST", "/goals/{goal_id}/archive"): _G,
    ("POST", "/okrs/new"): _G,
    ("POST", "/okrs/{objective_id}/grade"): _G,
    ("POST", "/maturity/goal"): _G,
    ("POST", "/maturity/profile"): _M,
    ("POST", "/maturity/assess"): _M,
    ("PUT", f"{_WS}/maturity/profile"): _M,
    ("POST", f"{_WS}/maturity/assessments"): _M,
    ("POST", "/audit"): _M,
    ("POST", f"{_WS}/audit"): _M,
    ("POST", f"{_WS}/listening/brands"): _L,
    ("PUT", f"{_WS}/listening/brands/{{brand}}/query"): _L,
    ("POST", f"{_WS}/listening/ingest"): _L,
    ("POST", f"{_WS}/listening/corrections"): _L,
    ("POST", f"{_WS}/listening/alerts/detect"): _L,
    ("POST", f"{_WS}/listening/alerts/{{alert_id}}/acknowledge"): _L,
    ("POST", "/listening/correct"): _L,
    ("POST", "/listening/alerts/{alert_id}/acknowledge"): _L,
    ("POST", f"{_WS}/listening/sources"): _L,
    ("DELETE", f"{_WS}/listening/sources/{{source_id}}"): _L,
    ("POST", f"{_WS}/listening/rules"): _L,
    ("DELETE", f"{_WS}/listening/rules/{{rule_id}}"): _L,
    ("POST", "/listening/fired/{event_id}/acknowledge"): _L,
    # a POST that only reads: counts the stored mentions a query would match
    ("POST", f"{_WS}/listening/query-test"): Action.WORKSPACE_READ,
    ("POST", "/import"): Action.DATA_IMPORT,
    ("POST", "/import/jobs/{job_id}/commit"): Action.DATA_IMPORT,
    ("POST", f"{_WS}/imports"): Action.DATA_IMPORT,
    ("POST", "/reports/branding"): Action.REPORTS_EDIT,
    ("POST", f"{_WS}/connections"): _C,
    ("DELETE", f"{_WS}/connections/{{ref}}"): _C,
    ("POST", f"{_WS}/connections/{{ref}}/pause"): _C,
    ("POST", f"{_WS}/connections/{{ref}}/resume"): _C,
    ("POST", f"{_WS}/connections/{{ref}}/sync"): _C,
    ("POST", "/connections"): _C,
    ("POST", "/connections/{ref}/{action}"): _C,
    ("POST", f"{_WS}/publishing/posts"): Action.PUBLISH_DRAFT,
    ("POST", f"{_WS}/publishing/posts/{{post_id}}/submit"): Action.PUBLISH_DRAFT,
    ("POST", f"{_WS}/publishing/posts/{{post_id}}/schedule"): Action.PUBLISH_DRAFT,
    ("POST", f"{_WS}/publishing/posts/{{post_id}}/cancel"): Action.PUBLISH_DRAFT,
    ("POST", f"{_WS}/publishing/posts/{{post_id}}/approve"): Action.PUBLISH_APPROVE,
    ("POST", f"{_WS}/publishing/posts/{{post_id}}/reject"): Action.PUBLISH_APPROVE,
    ("POST", f"{_WS}/inbox/assign"): _IM,
    ("POST", f"{_WS}/inbox/status"): _IM,
    ("POST", f"{_WS}/inbox/{{conversation}}/note"): _IM,
    ("POST", f"{_WS}/inbox/{{conversation}}/tag"): _IM,
    ("POST", f"{_WS}/inbox/{{conversation}}/claim"): _IM,
    ("POST", f"{_WS}/inbox/{{conversation}}/answered-elsewhere"): Action.INBOX_REPLY,
    ("POST", "/inbox/act"): _IM,
}

#: What a route that names no workspace in its path or query needs: `classify`'s answer.
Need = Action | str
PUBLIC_NEED = "public"
SIGNED_IN_NEED = "signed-in"


def classify(method: str, path: str) -> Need | None:
    """What a route needs (`PUBLIC_NEED`, `SIGNED_IN_NEED` or an Action); None: the table
    does not say (a write missing from `WRITES`)."""
    if path in PUBLIC or any(p.endswith("/") and path.startswith(p) for p in PUBLIC):
        return PUBLIC_NEED
    if (method, path) in SIGNED_IN:
        return SIGNED_IN_NEED
    if method in ("GET", "HEAD"):
        return READS.get(("GET", path), Action.WORKSPACE_READ)
    return WRITES.get((method, path))


#: How the OpenAPI documents who calls: ``Authorization: Bearer <token>`` on every operation
#: (it reads the header only to document it; `common.acting` resolves the token).
BEARER = HTTPBearer(
    auto_error=False, scheme_name="apiToken", bearerFormat="sp_...",
    description="An API token from `socialpulse tokens create LOGIN` (acts for that user, "
    "within its workspaces, read-only or not). Not needed on a server bound to 127.0.0.1 "
    "with no users, where every request is the local user's.")


def check_route(request: Request,
                _token: Annotated[HTTPAuthorizationCredentials | None, Security(BEARER)]
                = None) -> None:
    """The route's need, checked for the request's actor before the route runs (see the
    module's docstring). A write the table does not classify is checked as a read; the
    service's own `authorize` still decides it."""
    route = request.scope.get("route")
    path = getattr(route, "path", request.url.path)
    need = classify(request.method, path) or Action.WORKSPACE_READ
    if need == PUBLIC_NEED:
        return
    actor = acting(request)  # not signed in: NotSignedIn (a redirect or a 401)
    if need == SIGNED_IN_NEED:
        return
    action = Action(need)
    if action in SITE_ACTIONS:
        authorize(actor, action)
        return
    slug = request.path_params.get("slug") or request.query_params.get(WORKSPACE_PARAM)
    ws = readable_workspace(request, slug or None)  # not theirs: 404, as if it did not exist
    if not allowed(actor, action, ws.slug):
        authorize(actor, action, ws.slug)
