"""Who may see what: the one access-scope check for pages, callbacks and queries.

A :class:`Scope` is built from the database on every request for the signed-in
user (``auth`` does it in Flask-Login's user loader). Role and offices never come
from the cookie, a ``dcc.Store`` or a callback argument: a callback only *asks*
for offices, and :meth:`Scope.restrict` decides what it gets.

Page modules wrap their layout in :func:`page_layout` and list the roles that may
open them in ``dash.register_page(..., roles=(...))``; a page without ``roles``
is region-only. ``create_app`` refuses to start if a page's layout is unguarded,
and the guard in ``auth`` answers 403 to a callback defined in a page module the
user's role may not open. Inside a callback, take the scope from
:func:`current_scope`, pass requested offices through :meth:`Scope.restrict` and
the scope to every query.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import dash
import dash_bootstrap_components as dbc
import sqlalchemy as sa
import sqlalchemy.orm as so
from flask import has_request_context, request
from flask_login import current_user
from werkzeug.exceptions import Forbidden, Unauthorized

from dashboard import database
from models import tables as t
from models.users import record_audit

ALL = "all"  # what an "every office" choice in a dropdown sends
DEFAULT_PAGE_ROLES = ("region",)
ROLES_WITH_ROWS = ("region", "kommun")
ROLE_LABELS = {
    "region": "Region (projektledare)",
    "kommun": "Kommun",
    "steering": "Styrgrupp",
    "admin": "Teknisk administratör",
}
FORBIDDEN_TEXT = (
    "Du har inte behörighet att se den här sidan. Sidorna du kan öppna finns i menyn."
)


@dataclass(frozen=True)
class Scope:
    """What the signed-in user may see, read from the database for this request."""

    user_id: int
    email: str
    role: str
    office_ids: frozenset[str]
    # programme-wide view: named neighbours and programme totals
    all_offices: bool

    def allows(self, office_id: str) -> bool:
        return office_id in self.office_ids

    def restrict(self, requested: str | list[str] | None) -> list[str]:
        """The offices a callback asked for that this scope allows.

        ``None`` or ``"all"`` mean every allowed office. Anything outside the
        scope is dropped and written to the audit log as denied.
        """
        if requested is None or requested == ALL:
            return sorted(self.office_ids)
        asked = [requested] if isinstance(requested, str) else requested
        if not isinstance(asked, list | tuple):
            audit_denied(f"offices {requested!r}")
            return []
        if ALL in asked:
            return sorted(self.office_ids)
        allowed = [o for o in asked if isinstance(o, str) and self.allows(o)]
        refused = [o for o in asked if o not in allowed]
        allowed = list(dict.fromkeys(allowed))
        if refused:
            audit_denied(f"offices {refused!r}")
        return allowed

    @property
    def can_see_rows(self) -> bool:
        """Row-level data (bookings, members); steering and admin see aggregates."""
        return self.role in ROLES_WITH_ROWS

    def can_see_page(self, page_key: str) -> bool:
        page = dash.page_registry.get(page_key)
        return page is not None and self.role in page_roles(page)


def page_roles(page: dict[str, Any]) -> tuple[str, ...]:
    return tuple(page.get("roles", DEFAULT_PAGE_ROLES))


def start_page_instead_of(path: str, scope: Scope) -> str | None:
    """Where a user who opens ``path`` should start instead: the first page
    of the menu their role may open, if ``path`` is the site's root and the
    role may not open the page there (a steering group signs in to "/", the
    overview, but may only see the quarterly report)."""
    if path != "/":
        return None
    pages = dash.page_registry.values()
    root = next((page for page in pages if page["path"] == "/"), None)
    if root is None or scope.can_see_page(root["module"]):
        return None
    menu = menu_pages(scope)
    return menu[0]["relative_path"] if menu else None


def menu_pages(scope: Scope) -> list[dict[str, Any]]:
    """The pages in the menu that the scope's role may open, in menu order."""
    return [
        page
        for page in dash.page_registry.values()
        if page.get("nav", True) and scope.can_see_page(page["module"])
    ]


# every office: whether it is active, and whether the user is linked to it
# (built once: building it took as long as running it)
_OFFICES = (
    sa.select(t.Office.id, t.Office.active, t.UserOffice.user_id.is_not(None))
    .select_from(t.Office)
    .outerjoin(
        t.UserOffice,
        (t.UserOffice.office_id == t.Office.id)
        & (t.UserOffice.user_id == sa.bindparam("user_id")),
    )
)


def scope_for(session: so.Session, user_id: int, email: str, role: str) -> Scope:
    """The scope of an active user (the caller checked that it is).

    It runs on every request, so it reads plain rows on the session's
    connection with a statement built once: with the ORM's user object and its
    lazy office links, loading the signed-in user took 3 ms a request; 0.5 ms
    now.
    """
    offices = session.connection().execute(_OFFICES, {"user_id": user_id}).all()
    active = frozenset(office for office, is_active, _ in offices if is_active)
    linked = frozenset(office for office, _, is_linked in offices if is_linked)
    if role == "region":
        allowed, programme_wide = active, True
    elif role == "kommun":
        allowed, programme_wide = linked & active, False
    elif role == "steering" and not linked:
        allowed, programme_wide = active, True  # a programme steering group
    elif role == "steering":
        allowed, programme_wide = linked & active, False
    else:  # admin: users and sources, no office data
        allowed, programme_wide = frozenset(), False
    return Scope(user_id, email, role, allowed, programme_wide)


def signed_in_scope() -> Scope | None:
    if not has_request_context() or not current_user.is_authenticated:
        return None
    return current_user.scope


def current_scope() -> Scope:
    """The signed-in user's scope; 401 if there is none (the guard stops that)."""
    scope = signed_in_scope()
    if scope is None:
        raise Unauthorized()
    return scope


def require_roles(*roles: str) -> Scope:
    """For callbacks and exports limited to some roles: 403 (audited) otherwise."""
    scope = current_scope()
    if scope.role not in roles:
        audit_denied(f"needs role {' or '.join(roles)}")
        raise Forbidden()
    return scope


LayoutFunction = Callable[..., Any]


def page_layout(layout_function: LayoutFunction) -> LayoutFunction:
    """Wrap a page's ``layout(scope, **query)``: refuse roles the page does not allow.

    Dash's page router serves layouts through ``/_dash-update-component`` with a
    pathname the browser sends, so the navigation alone protects nothing.
    """
    page_key = layout_function.__module__

    @functools.wraps(layout_function)
    def layout(**query: str) -> Any:
        scope = current_scope()
        if not scope.can_see_page(page_key):
            audit_denied(f"page {page_key}")
            return forbidden()
        # a forged ?scope=… in the URL must not replace the real one
        query.pop("scope", None)
        return layout_function(scope, **query)

    layout.guarded_by_scope = True  # type: ignore[attr-defined]
    return layout


def callback_page(callback_map: dict[str, Any], output: str | None) -> str | None:
    """The page a server callback was defined in (its module), if it is a page."""
    entry = callback_map.get(output or "")
    module = getattr(entry and entry.get("callback"), "__module__", None)
    return module if module in dash.page_registry else None


def unguarded_pages(pages: Iterable[dict[str, Any]]) -> list[str]:
    return [
        page["module"]
        for page in pages
        if not getattr(page.get("layout"), "guarded_by_scope", False)
    ]


def forbidden() -> dbc.Alert:
    return dbc.Alert(FORBIDDEN_TEXT, color="warning", id="forbidden")


def audit(
    action: str,
    detail: str = "",
    *,
    actor: str | None = None,
    user_id: int | None = None,
) -> None:
    """Write one audit line for the current request's user (exports call this too)."""
    scope = signed_in_scope()
    if scope is not None:
        actor = scope.email if actor is None else actor
        user_id = scope.user_id if user_id is None else user_id
    ip = (request.remote_addr or "") if has_request_context() else ""
    with database.write_session() as session:
        record_audit(session, action, detail, actor=actor or "", user_id=user_id, ip=ip)


def audit_denied(what: str) -> None:
    """An audit line for a refused request: who, what, and which callback."""
    audit("denied", f"{what} in {_requested_callback()}"[:2000])


def _requested_callback() -> str:
    if not has_request_context():
        return "(no request)"
    body = request.get_json(silent=True) if request.is_json else None
    if isinstance(body, dict) and "output" in body:
        return f"callback {body['output']}"
    return request.path
