"""Kvartalsrapport: the steering report of a closed quarter, as stored.

Everything on this page is read from a stored version (never a fresh query),
so a steering group sees the same numbers every time. Region users close
quarters, write comments and actions on drafts, publish, and see restated
figures when data for a closed quarter arrived later. Steering groups and
kommun contacts see published versions only, and only their own sections: the
programme section (which names every office) needs a programme-wide scope.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import dash
import dash_bootstrap_components as dbc
import pandas as pd
from dash import Input, Output, State, callback, ctx, dcc, html, no_update

from dashboard import access, database
from dashboard.access import Scope, current_scope, require_roles
from dashboard.figures import economy as economy_figures
from dashboard.figures import report as report_figures
from dashboard.filters import parse_filters, quarter
from dashboard.i18n import add, text
from dashboard.panels import empty_state
from models.config import QUARTER_RE
from pilotpuls.report import exports, snapshot
from pilotpuls.report.content import (
    ReportDocument,
    ScopeReport,
    Table,
    cell_text,
    key_figure_text,
)
from pilotpuls.report.figures import PROGRAMME
from pilotpuls.report.snapshot import DRAFT, PUBLISHED, ReportError

dash.register_page(
    __name__,
    path="/rapport",
    name="Kvartalsrapport",
    order=6,
    roles=("region", "kommun", "steering"),
)
add(
    {
        "rp_title": ("Kvartalsrapport", "Quarterly report"),
        "rp_intro": (
            "Styrgruppens rapport för ett stängt kvartal. Siffrorna är frysta vid "
            "brytpunkten och ändras aldrig; sen data blir en ny version.",
            "The steering group's report of a closed quarter. The figures are frozen "
            "at the cut-off and never change; late data becomes a new version.",
        ),
        "rp_quarter": ("Kvartal", "Quarter"),
        "rp_version": ("Version", "Version"),
        "rp_section": ("Avsnitt", "Section"),
        "rp_none": (
            "Ingen publicerad kvartalsrapport ännu. Regionens projektledare stänger "
            "och publicerar kvartalen.",
            "No published quarterly report yet. The region's project managers close "
            "and publish the quarters.",
        ),
        "rp_none_region": (
            "Inget kvartal är stängt ännu. Välj ett avslutat kvartal nedan och "
            "stäng det, eller kör ”pilotpuls report close 2026Q3”.",
            "No quarter is closed yet. Choose a finished quarter below and close it, "
            "or run “pilotpuls report close 2026Q3”.",
        ),
        "rp_close": ("Stäng kvartal", "Close quarter"),
        "rp_publish": ("Publicera version", "Publish version"),
        "rp_restate": ("Spara som ny version", "Save as a new version"),
        "rp_save_texts": ("Spara texter", "Save texts"),
        "rp_comments": ("Kommentarer", "Comments"),
        "rp_actions": ("Åtgärder", "Actions"),
        "rp_pdf": ("Ladda ner PDF", "Download PDF"),
        "rp_xlsx": ("Ladda ner Excel", "Download Excel"),
        "rp_status_draft": (
            "Version {version} – utkast (ej publicerat). Siffrorna frystes {cutoff}.",
            "Version {version} – draft (not published). Figures frozen {cutoff}.",
        ),
        "rp_status_published": (
            "Version {version} – publicerad {published}. Siffrorna frystes {cutoff}.",
            "Version {version} – published {published}. Figures frozen {cutoff}.",
        ),
        "rp_restated": (
            "Omräknade siffror finns: data för kvartalet har kommit efter "
            "brytpunkten. Ändringar mot version {version}:",
            "Restated figures available: data for the quarter arrived after the "
            "cut-off. Changes against version {version}:",
        ),
        "rp_new_files_same": (
            "{files} filer har lästs in sedan brytpunkten, men kvartalets siffror "
            "är oförändrade.",
            "{files} files were loaded since the cut-off, but the quarter's figures "
            "are unchanged.",
        ),
        "rp_col_section": ("Del", "Part"),
        "rp_col_item": ("Rad", "Row"),
        "rp_col_column": ("Kolumn", "Column"),
        "rp_col_old": ("Tidigare", "Before"),
        "rp_col_new": ("Nu", "Now"),
        "rp_closed": (
            "{quarter} är stängt som version {version}.",
            "{quarter} closed as version {version}.",
        ),
        "rp_published": (
            "Version {version} är publicerad.",
            "Version {version} published.",
        ),
        "rp_saved": ("Texterna är sparade.", "The texts are saved."),
        "rp_restated_saved": (
            "Version {version} är sparad som utkast; tidigare versioner finns kvar.",
            "Version {version} saved as a draft; earlier versions remain.",
        ),
        "rp_region_tools": ("För regionen", "For the region"),
        "rp_closable": ("Avslutat kvartal att stänga", "Finished quarter to close"),
    }
)

CLOSABLE_QUARTERS = 8  # how far back the close list reaches
_CHECKED: dict[tuple[str, int, int], snapshot.Restatement] = {}
NO_ROWS = "Inga rader för kvartalet."  # the report's own language is Swedish


# --- who sees what --------------------------------------------------------------


def visible_sections(scope: Scope, stored: list[str]) -> list[str]:
    """The sections of a version this scope may read, programme first."""
    allowed = [s for s in stored if s != PROGRAMME and scope.allows(s)]
    if scope.all_offices and PROGRAMME in stored:
        allowed.insert(0, PROGRAMME)
    return allowed


def visible_versions(scope: Scope, versions: list[snapshot.Version]) -> list:
    """Drafts are the region's work in progress; others see published versions."""
    if scope.role == "region":
        return versions
    return [v for v in versions if v.status == PUBLISHED]


def _document(
    scope: Scope, quarter_label: str, version: int | None, section: str | None
) -> ReportDocument | None:
    """The stored version, cut down to what the scope may read (None: nothing)."""
    config = database.programme_config()
    with database.read_session() as session:
        shown = visible_versions(scope, snapshot.versions(session, quarter_label))
        numbers = [v.version for v in shown]
        if not numbers:
            return None
        number = version if version in numbers else numbers[-1]
        stored = snapshot.document(session, config, quarter_label, number)
    sections = visible_sections(scope, [s.report.scope for s in stored.sections])
    if section is not None and section not in sections:
        access.audit_denied(f"report section {section!r}")
        return None
    wanted = [section] if section else sections
    parts = [s for s in stored.sections if s.report.scope in wanted]
    if not parts:
        return None
    return ReportDocument(
        stored.quarter,
        stored.version,
        stored.status,
        stored.cutoff_at,
        stored.published_at,
        stored.programme_name,
        parts,
    )


# --- layout -------------------------------------------------------------------------


@access.page_layout
def layout(scope: Scope, **query: Any) -> html.Div:
    config = database.programme_config()
    lang = parse_filters(query, date.today(), config.language).lang
    with database.read_session() as session:
        quarters = [
            q
            for q in snapshot.closed_quarters(session)
            if visible_versions(scope, snapshot.versions(session, q))
        ]
    region = scope.role == "region"
    parts: list[Any] = [
        html.H1(text("rp_title", lang), className="h3"),
        html.P(text("rp_intro", lang), className="text-muted"),
        dcc.Store(id="rp-lang", data=lang),
        dcc.Store(id="rp-changed", data=0),
    ]
    if region:
        parts.append(_region_tools(quarters, lang))
    parts.append(
        html.Div(
            [
                dbc.Row(
                    [
                        _dropdown("rp-quarter", "rp_quarter", lang, quarters),
                        _dropdown("rp-version", "rp_version", lang, []),
                        _dropdown("rp-section", "rp_section", lang, []),
                        dbc.Col(
                            [
                                dbc.Button(
                                    text("rp_pdf", lang), id="rp-pdf", className="me-2"
                                ),
                                dbc.Button(
                                    text("rp_xlsx", lang),
                                    id="rp-xlsx",
                                    color="secondary",
                                ),
                                dcc.Download(id="rp-download"),
                            ],
                            md=4,
                            className="d-flex align-items-end",
                        ),
                    ],
                    className="g-3 mb-3",
                ),
                html.Div(id="rp-status"),
                html.Div(id="rp-restatement"),
                html.Div(id="rp-body"),
            ]
        )
    )
    return html.Div(parts)


def _dropdown(id_: str, label: str, lang: str, values: list[str]) -> dbc.Col:
    return dbc.Col(
        [
            dbc.Label(text(label, lang), html_for=id_),
            dcc.Dropdown(
                id=id_,
                options=values,
                value=values[0] if values else None,
                clearable=False,
            ),
        ],
        md=2 if id_ != "rp-section" else 4,
    )


def closable_quarters(closed: list[str], today: date) -> list[str]:
    """Finished quarters not closed yet, newest first."""
    found, day = [], quarter(today).start - timedelta(days=1)
    for _ in range(CLOSABLE_QUARTERS):
        label = quarter(day).key()
        if label not in closed:
            found.append(label)
        day = quarter(day).start - timedelta(days=1)
    return found


def _region_tools(closed: list[str], lang: str) -> dbc.Card:
    options = closable_quarters(closed, date.today())
    return dbc.Card(
        dbc.CardBody(
            [
                html.H2(text("rp_region_tools", lang), className="h6"),
                dbc.Row(
                    [
                        dbc.Col(
                            [
                                dbc.Label(
                                    text("rp_closable", lang),
                                    html_for="rp-close-quarter",
                                ),
                                dcc.Dropdown(
                                    id="rp-close-quarter",
                                    options=options,
                                    value=options[0] if options else None,
                                    clearable=False,
                                ),
                            ],
                            md=3,
                        ),
                        dbc.Col(
                            [
                                dbc.Button(
                                    text("rp_close", lang),
                                    id="rp-close",
                                    color="warning",
                                    className="me-2",
                                ),
                                dbc.Button(
                                    text("rp_publish", lang),
                                    id="rp-publish",
                                    color="success",
                                    className="me-2",
                                ),
                                dbc.Button(
                                    text("rp_restate", lang),
                                    id="rp-restate",
                                    color="primary",
                                    outline=True,
                                ),
                            ],
                            className="d-flex align-items-end",
                        ),
                    ],
                    className="g-3",
                ),
                html.Div(id="rp-message", className="mt-2"),
            ]
        ),
        className="mb-3",
    )


# --- showing a version -----------------------------------------------------------


def key_figures(report: ScopeReport) -> dbc.Row:
    return dbc.Row(
        [
            dbc.Col(
                dbc.Card(
                    dbc.CardBody(
                        [
                            html.Div(figure.label, className="small text-muted"),
                            html.Div(
                                key_figure_text(figure), className="fs-5 fw-semibold"
                            ),
                        ]
                    )
                ),
                md=3,
                className="mb-2",
            )
            for figure in report.key_figures
        ],
        className="g-2 mb-3",
    )


def table_frame(table: Table | None) -> pd.DataFrame:
    return table.to_frame() if table is not None else pd.DataFrame()


def charts(report: ScopeReport, lang: str) -> dbc.Row:
    figures = [
        report_figures.utilisation_by_month(
            table_frame(report.table("utilisation")), lang
        ),
        economy_figures.self_financing_path(table_frame(report.table("path")), lang),
    ]
    return dbc.Row(
        [
            dbc.Col(
                dcc.Graph(figure=figure, config={"displaylogo": False, "locale": lang}),
                lg=6,
            )
            for figure in figures
        ],
        className="g-3",
    )


def table_view(table: Table) -> html.Div:
    header = html.Thead(html.Tr([html.Th(c.label) for c in table.columns]))
    body = html.Tbody(
        [
            html.Tr(
                [
                    html.Td(
                        cell_text(row.get(c.key), c.kind),
                        className="text-end" if c.kind not in ("text", "date") else "",
                    )
                    for c in table.columns
                ]
            )
            for row in table.rows
        ]
    )
    parts: list[Any] = [html.H3(table.title, className="h6 mt-3")]
    if table.rows:
        parts.append(
            dbc.Table([header, body], size="sm", striped=True, responsive=True)
        )
    else:
        parts.append(html.P(NO_ROWS, className="small text-muted mb-1"))
    if table.note:
        parts.append(html.Small(table.note, className="text-muted d-block mb-2"))
    return html.Div(parts)


def section_view(document: ReportDocument, editable: bool, lang: str) -> list[Any]:
    out: list[Any] = []
    for section in document.sections:
        report = section.report
        out += [
            html.H2(report.title, className="h4 mt-4"),
            html.P(report.subtitle, className="text-muted"),
            key_figures(report),
            charts(report, lang),
            *[table_view(table) for table in report.tables],
            _texts(section.comments, section.actions, report.scope, editable, lang),
        ]
    return out


def _texts(
    comments: str, actions: str, scope_id: str, editable: bool, lang: str
) -> Any:
    if editable:
        return dbc.Card(
            dbc.CardBody(
                [
                    dbc.Label(text("rp_comments", lang), html_for="rp-comments"),
                    dbc.Textarea(id="rp-comments", value=comments, rows=4),
                    dbc.Label(
                        text("rp_actions", lang),
                        html_for="rp-actions",
                        className="mt-2",
                    ),
                    dbc.Textarea(id="rp-actions", value=actions, rows=3),
                    dbc.Button(
                        text("rp_save_texts", lang), id="rp-save", className="mt-2"
                    ),
                ]
            ),
            className="mt-3",
        )
    parts: list[Any] = []
    for label, value in (("rp_comments", comments), ("rp_actions", actions)):
        if value:
            parts += [
                html.H3(text(label, lang), className="h6 mt-3"),
                html.P(value, style={"whiteSpace": "pre-line"}),
            ]
    return html.Div(parts)


def status_line(document: ReportDocument, lang: str) -> dbc.Alert:
    zone = database.programme_config().timezone
    cutoff = _local(document.cutoff_at, zone)
    if document.status == DRAFT:
        message = text("rp_status_draft", lang).format(
            version=document.version, cutoff=cutoff
        )
        return dbc.Alert(message, color="warning")
    message = text("rp_status_published", lang).format(
        version=document.version,
        cutoff=cutoff,
        published=_local(document.published_at, zone),
    )
    return dbc.Alert(message, color="success")


def _local(moment: Any, zone: str) -> str:
    from zoneinfo import ZoneInfo

    return (
        "–" if moment is None else f"{moment.astimezone(ZoneInfo(zone)):%Y-%m-%d %H:%M}"
    )


def restatement_view(found: snapshot.Restatement, scopes: list[str], lang: str) -> Any:
    changes = [
        (scope, change)
        for scope, items in found.changes.items()
        if scope in scopes
        for change in items
    ]
    if not changes:
        if not found.new_files:
            return None
        return dbc.Alert(
            text("rp_new_files_same", lang).format(files=found.new_files), color="light"
        )
    names = {PROGRAMME: database.programme_config().programme_name} | {
        o.id: o.name for o in database.programme_config().offices
    }
    header = html.Thead(
        html.Tr(
            [
                html.Th(text(k, lang))
                for k in (
                    "rp_section",
                    "rp_col_section",
                    "rp_col_item",
                    "rp_col_column",
                    "rp_col_old",
                    "rp_col_new",
                )
            ]
        )
    )
    rows = [
        html.Tr(
            [
                html.Td(names.get(scope, scope)),
                html.Td(c.section),
                html.Td(c.item),
                html.Td(c.column),
                html.Td(c.old),
                html.Td(c.new),
            ]
        )
        for scope, c in changes
    ]
    return dbc.Alert(
        [
            html.P(text("rp_restated", lang).format(version=found.version.version)),
            dbc.Table([header, html.Tbody(rows)], size="sm", className="bg-white"),
        ],
        color="info",
        id="rp-restated",
    )


# --- callbacks ----------------------------------------------------------------------


@callback(
    Output("rp-version", "options"),
    Output("rp-version", "value"),
    Output("rp-section", "options"),
    Output("rp-section", "value"),
    Input("rp-quarter", "value"),
    Input("rp-changed", "data"),
    State("rp-section", "value"),
)
def choose_quarter(quarter_label: Any, _changed: Any, section: Any):
    scope = current_scope()
    if not isinstance(quarter_label, str):
        return [], None, [], None
    try:
        snapshot.check_quarter(quarter_label)
    except ReportError:
        return [], None, [], None
    config = database.programme_config()
    with database.read_session() as session:
        shown = visible_versions(scope, snapshot.versions(session, quarter_label))
        if not shown:
            return [], None, [], None
        stored = snapshot.document(session, config, quarter_label, shown[-1].version)
    versions = [
        {
            "label": f"{v.version} ({'utkast' if v.status == DRAFT else 'publicerad'})",
            "value": v.version,
        }
        for v in shown
    ]
    scopes = visible_sections(scope, [s.report.scope for s in stored.sections])
    titles = {s.report.scope: s.report.title for s in stored.sections}
    sections = [{"label": titles[s], "value": s} for s in scopes]
    chosen = section if section in scopes else (scopes[0] if scopes else None)
    return versions, shown[-1].version, sections, chosen


@callback(
    Output("rp-status", "children"),
    Output("rp-restatement", "children"),
    Output("rp-body", "children"),
    Input("rp-quarter", "value"),
    Input("rp-version", "value"),
    Input("rp-section", "value"),
    Input("rp-changed", "data"),  # closed, published or restated meanwhile
    State("rp-lang", "data"),
)
def show(quarter_label: Any, version: Any, section: Any, _changed: Any, lang: Any):
    scope = current_scope()
    lang = lang if lang in ("sv", "en") else "sv"
    if not _is_quarter(quarter_label) or not isinstance(section, str):
        nothing = "rp_none_region" if scope.role == "region" else "rp_none"
        return None, None, empty_state(text(nothing, lang))
    try:
        document = _document(
            scope, quarter_label, version if isinstance(version, int) else None, section
        )
    except ReportError as exc:
        return dbc.Alert(str(exc), color="danger"), None, None
    if document is None:
        return None, None, empty_state(text("rp_none", lang))
    editable = scope.role == "region" and document.status == DRAFT
    return (
        status_line(document, lang),
        _restatement(scope, document, lang),
        section_view(document, editable, lang),
    )


def _is_quarter(value: Any) -> bool:
    return isinstance(value, str) and QUARTER_RE.match(value) is not None


def _restatement(scope: Scope, document: ReportDocument, lang: str) -> Any:
    """Region users looking at the latest version see late data's differences."""
    if scope.role != "region":
        return None
    config = database.programme_config()
    with database.read_session() as session:
        newest = snapshot.latest(session, document.quarter)
        if newest is None or newest.version != document.version:
            return None
        if not snapshot.new_files_since(session, newest.cutoff_at):
            return None
        # recomputing a quarter takes seconds: once per version and new file
        key = (document.quarter, newest.version, snapshot.last_file_id(session))
        found = _CHECKED.get(key)
        if found is None:
            if len(_CHECKED) > 64:
                _CHECKED.clear()
            found = _CHECKED[key] = snapshot.check(session, config, document.quarter)
    return restatement_view(found, [s.report.scope for s in document.sections], lang)


@callback(
    Output("rp-message", "children"),
    Output("rp-changed", "data"),
    Output("rp-quarter", "options"),
    Output("rp-quarter", "value"),
    Output("rp-close-quarter", "options"),
    Input("rp-close", "n_clicks"),
    Input("rp-publish", "n_clicks"),
    Input("rp-restate", "n_clicks"),
    State("rp-close-quarter", "value"),
    State("rp-quarter", "value"),
    State("rp-changed", "data"),
    State("rp-lang", "data"),
    prevent_initial_call=True,
)
def region_action(
    _c: Any, _p: Any, _r: Any, to_close: Any, shown: Any, changed: Any, lang: Any
):
    scope = require_roles("region")
    lang = lang if lang in ("sv", "en") else "sv"
    config = database.programme_config()
    engine = database.writer_engine()
    target = to_close if ctx.triggered_id == "rp-close" else shown
    try:
        target = snapshot.check_quarter(target)
        if ctx.triggered_id == "rp-close":
            done = snapshot.close(engine, config, target, scope.email)
            message = text("rp_closed", lang).format(
                quarter=target, version=done.version
            )
        elif ctx.triggered_id == "rp-publish":
            done = snapshot.publish(engine, target, None, scope.email)
            message = text("rp_published", lang).format(version=done.version)
        else:
            done = snapshot.restate(engine, config, target, scope.email)
            message = text("rp_restated_saved", lang).format(version=done.version)
    except ReportError as exc:
        return dbc.Alert(str(exc), color="danger"), *[no_update] * 4
    access.audit("report_page_action", f"{ctx.triggered_id} {target}")
    with database.read_session() as session:
        quarters = snapshot.closed_quarters(session)
    number = changed + 1 if isinstance(changed, int) else 1
    closable = closable_quarters(quarters, date.today())
    return dbc.Alert(message, color="success"), number, quarters, target, closable


@callback(
    Output("rp-message", "children", allow_duplicate=True),
    Input("rp-save", "n_clicks"),
    State("rp-quarter", "value"),
    State("rp-version", "value"),
    State("rp-section", "value"),
    State("rp-comments", "value"),
    State("rp-actions", "value"),
    State("rp-lang", "data"),
    prevent_initial_call=True,
)
def save_texts(
    _n: Any,
    quarter_label: Any,
    version: Any,
    section: Any,
    comments: Any,
    actions: Any,
    lang: Any,
):
    scope = require_roles("region")
    lang = lang if lang in ("sv", "en") else "sv"
    if not _n:  # Dash also calls this when a draft's form appears
        return no_update
    if not all(isinstance(v, str) for v in (quarter_label, section)) or not isinstance(
        version, int
    ):
        return no_update
    try:
        snapshot.set_texts(
            database.writer_engine(),
            snapshot.check_quarter(quarter_label),
            version,
            section,
            str(comments or "")[:5000],
            str(actions or "")[:5000],
            scope.email,
        )
    except ReportError as exc:
        return dbc.Alert(str(exc), color="danger")
    return dbc.Alert(text("rp_saved", lang), color="success")


@callback(
    Output("rp-download", "data"),
    Input("rp-pdf", "n_clicks"),
    Input("rp-xlsx", "n_clicks"),
    State("rp-quarter", "value"),
    State("rp-version", "value"),
    prevent_initial_call=True,
)
def download(_pdf: Any, _xlsx: Any, quarter_label: Any, version: Any):
    """The whole report as this user may read it: every visible section."""
    scope = current_scope()
    if not isinstance(quarter_label, str):
        return no_update
    try:
        snapshot.check_quarter(quarter_label)
        document = _document(
            scope, quarter_label, version if isinstance(version, int) else None, None
        )
    except ReportError:
        return no_update
    if document is None:
        return no_update
    suffix = ".pdf" if ctx.triggered_id == "rp-pdf" else ".xlsx"
    name = exports.file_name(document, suffix)
    access.audit("report_download", name)
    return dcc.send_bytes(exports.render(document, suffix), name)
