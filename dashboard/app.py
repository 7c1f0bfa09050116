"""The Dash app: a shell with navigation; every page lives in ``dashboard/pages``.

Sign-in and the route guard come from ``dashboard.auth``; what a user may see
from ``dashboard.access``. The shell is built per request for the signed-in user.
"""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html
from dash.development.base_component import ComponentRegistry

import dashboard.vendor  # noqa: F401  (registers the vendored plotly.js)
from dashboard import access, auth, database
from dashboard.access import Scope
from models.config import ProgrammeConfig

PAGES_FOLDER = Path(__file__).parent / "pages"


def navbar(programme_name: str, scope: Scope | None) -> dbc.Navbar:
    """Links to the pages the user's role may open, and the user menu.

    ``scope`` is None only when Dash validates the layout on its first request,
    which may come from a visitor who is not signed in: then no links at all.
    """
    links = [
        dbc.NavItem(
            dbc.NavLink(page["name"], href=page["relative_path"], active="exact")
        )
        for page in dash.page_registry.values()
        if scope and page.get("nav", True) and scope.can_see_page(page["module"])
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(["Pilotpuls", html.Small(f" · {programme_name}")]),
                dbc.Nav(links, navbar=True, className="me-auto"),
                dbc.Nav(user_menu(scope) if scope else [], navbar=True),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="mb-3",
    )


def user_menu(scope: Scope) -> dbc.DropdownMenu:
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(scope.email, header=True),
            dbc.DropdownMenuItem(access.ROLE_LABELS[scope.role], disabled=True),
            dbc.DropdownMenuItem(divider=True),
            # the language travels in the URL with the filters (shareable links)
            dbc.DropdownMenuItem("Svenska", href="?lang=sv", external_link=True),
            dbc.DropdownMenuItem("English", href="?lang=en", external_link=True),
            dbc.DropdownMenuItem(divider=True),
            # a real page load, not Dash's in-page navigation: the server signs out
            dbc.DropdownMenuItem(
                "Logga ut", href="/logout", external_link=True, id="sign-out"
            ),
        ],
        label=scope.email,
        nav=True,
        in_navbar=True,
        align_end=True,
        id="user-menu",
    )


def create_app(
    config: ProgrammeConfig, auth_settings: auth.AuthSettings | None = None
) -> Dash:
    # Bootstrap's CSS is served from dashboard/assets, not a CDN: municipal
    # networks often block CDNs, and the page must work offline. The smaller
    # plotly.js bundle comes from dashboard.vendor (see its docstring).
    ComponentRegistry.registry.add("dashboard.vendor")
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        compress=True,
        title="Pilotpuls",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    unguarded = access.unguarded_pages(dash.page_registry.values())
    if unguarded:
        raise RuntimeError(
            f"wrap the layout of {', '.join(unguarded)} in @access.page_layout"
        )
    database.attach(app.server, config)
    auth.install(app, config, auth_settings or auth.AuthSettings.from_env())
    # a function, so the navigation is built per request for the signed-in user
    app.layout = lambda: html.Div(
        [
            navbar(config.programme_name, access.signed_in_scope()),
            dbc.Container(dash.page_container, fluid=True),
        ],
        lang=config.language,
    )
    return app
