"""The dashboard's words, in Swedish (default) and English.

Metric definitions live here too, so the "?" beside a chart and the glossary
page always say the same thing. A missing key shows the key itself, so a gap
is visible instead of crashing a page.
"""

from __future__ import annotations

STRINGS: dict[str, tuple[str, str]] = {
    # the menu: "nav_" + the page's module name (dashboard/pages/<name>.py); the
    # Swedish is the page's ``register_page(name=...)``
    "nav_overview": ("Översikt", "Overview"),
    "nav_occupancy": ("Beläggning", "Occupancy"),
    "nav_members": ("Medlemmar", "Members"),
    "nav_economy": ("Ekonomi", "Economy"),
    "nav_satisfaction": ("Nöjdhet", "Satisfaction"),
    "nav_quality": ("Datakvalitet", "Data quality"),
    "nav_report": ("Kvartalsrapport", "Quarterly report"),
    "nav_glossary": ("Ordlista", "Glossary"),
    "nav_audit": ("Logg", "Log"),
    # the user menu; the Swedish role names are access.ROLE_LABELS
    "role_region": ("Region (projektledare)", "Region (project manager)"),
    "role_kommun": ("Kommun", "Municipality"),
    "role_steering": ("Styrgrupp", "Steering group"),
    "role_admin": ("Teknisk administratör", "Technical administrator"),
    "sign_out": ("Logga ut", "Sign out"),
    # filter bar and panels
    "office": ("Kontor", "Office"),
    "all_offices": ("Alla kontor", "All offices"),
    "period": ("Period", "Period"),
    "period_month": ("Månad", "Month"),
    "period_quarter": ("Kvartal", "Quarter"),
    "period_year": ("År", "Year"),
    "period_custom": ("Eget intervall", "Custom"),
    "compare_previous": (
        "Jämför med föregående period",
        "Compare with previous period",
    ),
    "compare_not_here": (
        "ingen jämförelse i den här panelen",
        "no comparison in this panel",
    ),
    "download_excel": ("Excel", "Excel"),
    "download_csv": ("CSV", "CSV"),
    "no_data": ("Inga data för urvalet.", "No data for this selection."),
    "previous_period": ("Föregående period", "Previous period"),
    "no_offices": (
        "Du har inga kontor att se ännu. Be regionens projektledare koppla ditt konto "
        "till ditt kontor.",
        "You have no offices to see yet. Ask the region's project manager to link "
        "your account to your office.",
    ),
    # glossary: (term, definition) pairs use the keys term_* and def_*
    "term_utilisation": ("Beläggning", "Utilisation"),
    "def_utilisation": (
        "Genomsnittligt antal närvarande under öppettiderna delat med antalet "
        "arbetsplatser som gällde den dagen (enligt utbyggnadsplanen). Helgdagar och "
        "stängda dagar räknas inte med.",
        "Average number of people present during opening hours divided by the seats "
        "valid on that day (per the ramp-up plan). Public holidays and closed days "
        "are excluded.",
    ),
    "term_occupancy": ("Närvaro", "Occupancy"),
    "def_occupancy": (
        "Antal personer i lokalen, räknat från dörrräknaren: inpassager minus "
        "utpassager sedan midnatt, aldrig under noll.",
        "People in the office, from the door counter: entries minus exits since "
        "midnight, never below zero.",
    ),
    "term_peak": ("Toppnärvaro", "Peak occupancy"),
    "def_peak": (
        "Det högsta antalet närvarande under en timme den dagen.",
        "The highest number of people present in any hour of the day.",
    ),
    "term_no_show": ("Bokat men frånvarande", "Booked but absent (no-show)"),
    "def_no_show": (
        "Skrivbordsbokningar en dag utöver antalet besökare enligt dörrräknaren. "
        "Bokningar är inte närvaro.",
        "Desk bookings on a day beyond the number of visitors counted at the door. "
        "Bookings are not attendance.",
    ),
    "term_unbooked": ("Obokad användning", "Unbooked use"),
    "def_unbooked": (
        "Besökare enligt dörrräknaren utöver antalet skrivbordsbokningar den dagen – "
        "folk som använder kontoret utan att boka (lärdomen från Flen).",
        "Visitors counted at the door beyond the desk bookings of the day — people "
        "using the office without booking (the Flen lesson).",
    ),
    "term_self_financing": ("Självfinansieringsgrad", "Self-financing ratio"),
    "def_self_financing": (
        "Intäkter (medlemsavgifter fördelade på aktiva dagar plus bokningsavgifter) "
        "delat med kostnader för samma period.",
        "Revenue (membership fees prorated by active days plus booking charges) "
        "divided by costs for the same period.",
    ),
    "term_recommend": ("Rekommendationsvilja (NPS)", "Recommend score (NPS)"),
    "def_recommend": (
        "Andel som svarar 9–10 (ambassadörer) minus andel som svarar 0–6 "
        "(kritiker) på frågan om de skulle rekommendera kontoret, −100 till +100.",
        "Share answering 9–10 (promoters) minus share answering 0–6 (detractors) "
        "to whether they would recommend the office, −100 to +100.",
    ),
    "term_members": ("Medlemmar", "Members"),
    "def_members": (
        "Medlemskap som är aktiva den dagen enligt medlemsregistret, jämfört med "
        "kontorets medlemsmål enligt utbyggnadsplanen.",
        "Memberships active on the day according to the member register, against the "
        "office's member target from its ramp-up plan.",
    ),
    "term_completeness": ("Datatäckning", "Data completeness"),
    "def_completeness": (
        "Hur många av periodens dagar som har data från källan, och när den senast "
        "importerades. Saknade data visas som luckor, aldrig som noll.",
        "How many of the period's days have data from the source, and when it was last "
        "imported. Missing data shows as gaps, never as zero.",
    ),
}


def text(key: str, lang: str = "sv") -> str:
    pair = STRINGS.get(key)
    if pair is None:
        return key
    return pair[1] if lang == "en" else pair[0]


def add(strings: dict[str, tuple[str, str]]) -> None:
    """Pages add their own words at import; a key defined twice is a mistake."""
    clash = set(strings) & set(STRINGS)
    if clash - {k for k in clash if STRINGS[k] == strings[k]}:
        raise ValueError(f"i18n keys defined twice: {sorted(clash)}")
    STRINGS.update(strings)
