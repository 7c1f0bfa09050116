"""Vendored browser code, served the way Dash serves component libraries.

Registering ``_js_dist`` makes Dash serve these files from
``/_dash-component-suites/dashboard.vendor/…``: fingerprinted, gzipped and
cached for a year. (Files in ``assets/`` are neither compressed nor cached.)

plotly.js's official cartesian bundle (MIT; bar, scatter, heatmap, box, pie,
histogram, contour, violin, image) is ~470 KB gzipped instead of ~1.5 MB for the
full bundle; ``dcc.Graph`` uses it as the global ``Plotly`` and never downloads
the full one. Figures must stick to those trace types.

The bundle knows only English. ``plotly-locale-sv.js`` registers Swedish month
and weekday names (``Plotly.register``) for the graphs' ``config={"locale": "sv"}``;
without it plotly.js silently falls back to English. It calls the global
``Plotly``, so it comes right after the bundle: Dash writes the script tags of a
``_js_dist`` in list order.
"""

__version__ = "3.7.0"

_js_dist = [
    {
        "relative_package_path": "plotly-cartesian-3.7.0.min.js",
        "namespace": "dashboard.vendor",
    },
    {
        "relative_package_path": "plotly-locale-sv.js",
        "namespace": "dashboard.vendor",
    },
]
