"""The Dash app: a shell with navigation; every page lives in ``dashboard/pages``."""

from __future__ import annotations

from pathlib import Path

import dash
import dash_bootstrap_components as dbc
from dash import Dash, html

from dashboard import database
from models.config import ProgrammeConfig

PAGES_FOLDER = Path(__file__).parent / "pages"


def navbar(programme_name: str) -> dbc.Navbar:
    links = [
        dbc.NavItem(
            dbc.NavLink(page["name"], href=page["relative_path"], active="exact")
        )
        for page in dash.page_registry.values()
        if page.get("nav", True)
    ]
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(["Pilotpuls", html.Small(f" · {programme_name}")]),
                dbc.Nav(links, navbar=True),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="mb-3",
    )


def create_app(config: ProgrammeConfig) -> Dash:
    # Bootstrap's CSS is served from dashboard/assets, not a CDN: municipal
    # networks often block CDNs, and the page must work offline
    app = Dash(
        __name__,
        use_pages=True,
        pages_folder=str(PAGES_FOLDER),
        compress=True,
        title="Pilotpuls",
        update_title=None,
        suppress_callback_exceptions=True,
    )
    database.attach(app.server, config)
    # a function, so the navigation is built per request (and, later, per user)
    app.layout = lambda: html.Div(
        [
            navbar(config.programme_name),
            dbc.Container(dash.page_container, fluid=True),
        ],
        lang=config.language,
    )
    return app
