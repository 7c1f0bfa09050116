// Swedish for plotly.js: month and weekday names on date axes and in hover
// labels, and the words of the mode bar. dcc.Graph selects it per chart with
// config={"locale": "sv"} (dashboard/panels.py); "en" is built into plotly.js.
//
// Served right after the plotly.js bundle (see dashboard/vendor/__init__.py):
// Plotly.register needs the global Plotly. Should it ever load first, the
// locale waits in window.PlotlyLocales, which plotly.js registers on load.
//
// The names are CLDR's sv-SE (as Babel writes dates on the server: "2 sep. 2024").
// Plotly's layout.separators, set by every figure, overrides decimal/thousands.
(function () {
  "use strict";
  var locale = {
    moduleType: "locale",
    name: "sv",
    dictionary: {
      Autoscale: "Autoskala",
      "Box Select": "Markera med rektangel",
      Cancel: "Avbryt",
      "Compare data on hover": "Jämför data vid hovring",
      "Double-click on legend to isolate one trace":
        "Dubbelklicka på en förklaring för att bara visa den serien",
      "Double-click to zoom back out": "Dubbelklicka för att zooma ut igen",
      "Download plot": "Ladda ner diagrammet",
      "Download plot as a PNG": "Ladda ner diagrammet som PNG",
      "Lasso Select": "Markera med lasso",
      Pan: "Panorera",
      Reset: "Återställ",
      "Reset axes": "Återställ axlarna",
      "Reset view": "Återställ vyn",
      "Show closest data on hover": "Visa närmaste data vid hovring",
      "Snapshot succeeded": "Bilden är klar",
      "Sorry, there was a problem downloading your snapshot!":
        "Det gick inte att ladda ner bilden.",
      "Taking snapshot - this may take a few seconds":
        "Bilden skapas – det kan ta några sekunder",
      "Toggle Spike Lines": "Visa eller dölj hjälplinjer",
      "Toggle show closest data on hover":
        "Visa eller dölj närmaste data vid hovring",
      Zoom: "Zooma",
      "Zoom in": "Zooma in",
      "Zoom out": "Zooma ut",
      "kde:": "täthet:",
      "lower fence:": "nedre gräns:",
      "max:": "max:",
      "mean:": "medel:",
      "median:": "median:",
      "min:": "min:",
      "upper fence:": "övre gräns:",
    },
    format: {
      days: ["söndag", "måndag", "tisdag", "onsdag", "torsdag", "fredag", "lördag"],
      shortDays: ["sön", "mån", "tis", "ons", "tors", "fre", "lör"],
      months: [
        "januari", "februari", "mars", "april", "maj", "juni",
        "juli", "augusti", "september", "oktober", "november", "december",
      ],
      shortMonths: [
        "jan.", "feb.", "mars", "apr.", "maj", "juni",
        "juli", "aug.", "sep.", "okt.", "nov.", "dec.",
      ],
      periods: ["fm", "em"],
      date: "%Y-%m-%d",
      time: "%H:%M:%S",
      dateTime: "%A %-d %B %Y %X",
      decimal: ",",
      thousands: "\u00a0",
      grouping: [3],
      currency: ["", "\u00a0kr"],
    },
  };
  if (typeof window.Plotly === "undefined") {
    (window.PlotlyLocales = window.PlotlyLocales || []).push(locale);
  } else {
    window.Plotly.register(locale);
  }
})();
