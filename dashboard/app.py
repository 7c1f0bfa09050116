"""The Dash app: a shell with navigation; every page lives in ``dashboard/pages``.

Sign-in and the route guard come from ``dashboard.auth``; what a user may see
from ``dashboard.access``. The shell is built per request for the signed-in user.
"""

from __future__ import annotations

import gc
import itertools
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import dash
import dash_bootstrap_components as dbc
import plotly.io.json
from dash import Dash, Input, Output, html
from dash.development.base_component import ComponentRegistry
from flask import Flask, Response

import dashboard.vendor  # noqa: F401  (registers the vendored plotly.js)
from dashboard import access, auth, database
from dashboard.access import Scope
from dashboard.filters import parse_filters
from dashboard.i18n import STRINGS, text
from models.config import ProgrammeConfig

PAGES_FOLDER = Path(__file__).parent / "pages"

# Dash writes every response with plotly's JSON writer. Its orjson engine
# (plotly's choice when orjson is installed) fails on a response's first
# component or figure and then converts the whole tree in Python: the json
# engine's encoder is faster for what Dash sends (50 overview cards in 14 ms
# instead of 29; a chart's response 10-20 % faster).
plotly.io.json.config.default_engine = "json"
# the page router's location (part of dash.page_container): it follows every
# navigation, and a language switch is a page load with ?lang=…
PAGES_LOCATION = "_pages_location"
SHELL, NAV_LINKS, NAV_USER = "shell", "nav-links", "nav-user"


def nav_label(page: dict[str, Any], lang: str) -> str:
    """The menu name of a page: ``nav_<module>`` in i18n, else its Swedish name."""
    key = "nav_" + page["module"].rsplit(".", 1)[-1]
    return text(key, lang) if key in STRINGS else page["name"]


def nav_links(
    scope: Scope | None,
    lang: str,
    default_lang: str,
    pathname: str | None = None,
) -> list[dbc.NavItem]:
    """Links to the pages the user's role may open, named in ``lang``.

    Which pages: always decided here, on the server, from the user's scope.
    A language other than the programme's travels on in the links' query string.
    ``pathname`` (the page shown) marks the active link; without it the browser
    compares the links with its address, which works while they have no query.
    """
    if scope is None:
        return []
    query = "" if lang == default_lang else f"?lang={lang}"
    here = None if pathname is None else pathname.strip("/")
    return [
        dbc.NavItem(
            dbc.NavLink(
                nav_label(page, lang),
                href=page["relative_path"] + query,
                active="exact"
                if here is None
                else page["relative_path"].strip("/") == here,
                # one line, as the one-word Swedish names: "Data quality"
                class_name="text-nowrap",
            )
        )
        for page in access.menu_pages(scope)
    ]


def navbar(programme_name: str, scope: Scope | None, lang: str = "sv") -> dbc.Navbar:
    """Links to the pages the user's role may open, and the user menu.

    ``scope`` is None only when Dash validates the layout on its first request,
    which may come from a visitor who is not signed in: then no links at all.
    The layout is fetched without the page's query string, so it is built in the
    programme's language; :func:`follow_the_language` then renames the links.
    """
    return dbc.Navbar(
        dbc.Container(
            [
                dbc.NavbarBrand(
                    [
                        "Pilotpuls",
                        # on a wide screen only (assets/02-pilotpuls.css)
                        html.Small(f" · {programme_name}", className="programme-name"),
                    ]
                ),
                # in a narrow window the links wrap onto a second line (they
                # may shrink: min-width 0), rather than push the user menu
                # (sign-out, language) out of sight
                dbc.Nav(
                    nav_links(scope, lang, lang),
                    navbar=True,
                    className="me-auto flex-wrap",
                    style={"minWidth": 0},
                    id=NAV_LINKS,
                ),
                dbc.Nav(
                    user_menu(scope, lang) if scope else [], navbar=True, id=NAV_USER
                ),
            ],
            fluid=True,
        ),
        color="primary",
        dark=True,
        className="mb-3",
    )


def user_menu(scope: Scope, lang: str = "sv") -> dbc.DropdownMenu:
    return dbc.DropdownMenu(
        [
            dbc.DropdownMenuItem(scope.email, header=True),
            dbc.DropdownMenuItem(text(f"role_{scope.role}", lang), disabled=True),
            dbc.DropdownMenuItem(divider=True),
            # the language travels in the URL with the filters (shareable links)
            dbc.DropdownMenuItem("Svenska", href="?lang=sv", external_link=True),
            dbc.DropdownMenuItem("English", href="?lang=en", external_link=True),
            dbc.DropdownMenuItem(divider=True),
            # a real page load, not Dash's in-page navigation: the server signs out
            dbc.DropdownMenuItem(
                text("sign_out", lang),
                href="/logout",
                external_link=True,
                id="sign-out",
            ),
        ],
        label=scope.email,
        nav=True,
        in_navbar=True,
        align_end=True,
        id="user-menu",
    )


def register_language_callback(app: Dash, default_lang: str) -> None:
    """Name the menu in the language of the address, on every navigation."""

    @app.callback(
        Output(NAV_LINKS, "children"),
        Output(NAV_USER, "children"),
        Output(SHELL, "lang"),
        Input(PAGES_LOCATION, "href"),
    )
    def follow_the_language(href: Any):
        # the same rule as the pages' (filters.parse_filters): ?lang=sv|en
        url = urlsplit(href if isinstance(href, str) else "")
        lang = parse_filters(parse_qs(url.query), date.today(), default_lang).lang
        scope = access.current_scope()  # 401 without a signed-in user
        return (
            nav_links(scope, lang, default_lang, url.path or None),
            user_menu(scope, lang),
            lang,
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
        title=f"Pilotpuls · {config.programme_name}",
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
            navbar(config.programme_name, access.signed_in_scope(), config.language),
            dbc.Container(dash.page_container, fluid=True),
        ],
        lang=config.language,
        id=SHELL,
    )
    register_language_callback(app, config.language)
    return app


# requests after which what they left behind (caches) is frozen too
WARM_UP_REQUESTS = 200


def settle_for_serving(server: Flask) -> None:
    """Leave the objects built at start-up, and after the first requests the
    caches they filled, out of garbage collection; call it once, in the
    serving process, with the app's server after :func:`create_app`.

    The modules, components and callbacks of a built app are ~200,000 objects
    that live as long as the process. Python's cyclic collector traverses all
    of them in each full collection (160 ms here), and a callback creating a
    few thousand rows triggers one every few requests: reading a quarter of
    door data at 50 offices averaged 19 ms with them, 10 ms without. This is
    what ``gc.freeze`` is for (see the ``gc`` module's documentation); objects
    made later are collected as before.

    With so few objects left to count as long-lived, Python then makes every
    tenth middle-generation collection a full one: one every seven requests
    of an occupancy panel, 7–9 ms each, while it finds a few hundred objects.
    A full collection after a hundred middle ones instead keeps that garbage
    a little longer and the requests' time.

    The first requests compile SQL, load locale data and fill the other
    caches that then also live as long as the process (~34,000 objects after
    every page's callbacks at 50 offices). After ``WARM_UP_REQUESTS`` they are
    frozen as well, once: a full collection, about one request in fifty, then
    took 10 ms instead of 22 (the economy callbacks at 50 offices). What is
    frozen is never collected as a cycle, so this is done once the caches
    have filled, not on every request.
    """
    gc.collect()  # garbage of start-up goes now, not into the frozen set
    gc.freeze()
    young, middle, _ = gc.get_threshold()
    gc.set_threshold(young, middle, 100)
    served = itertools.count(1)

    @server.after_request
    def freeze_warm_caches(response: Response) -> Response:
        if next(served) == WARM_UP_REQUESTS:
            gc.collect()
            gc.freeze()
        return response
