"""Realistic demo source files for the offices in config.yaml.

``pilotpuls demo`` writes the files an office would really send us into the drop
folders and then ingests them through the normal pipeline:

- a meeting-room calendar (.ics) with recurring series, exceptions and
  cancellations, and a desk-booking export (CSV) per office;
- the member register (CSV, Swedish Excel style), with an older overlapping
  export;
- people-counter exports per month (15-minute or hourly bins), and for one
  office an access-control event log instead;
- member surveys twice a year from Google Forms (CSV) and Microsoft Forms (xlsx).

The simulation follows DOMAIN.md: members ramp up towards each office's
target (slowly for compensation-driven offices), Företagare is the largest
group, Resande peaks in summer in the tourism office, July and public holidays
are quiet, not everyone who comes has booked (and not everyone who booked comes),
one counter has an outage, and a handful of rows are wrong on purpose so the
data-quality page has something to show. Same seed, same files.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Container
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from models.config import KALMAR_KOMMUNER, Office, ProgrammeConfig, resolve_path
from models.days import closed_days

TARGET_MIX = {
    "default": {"Företagare": 0.5, "Pendlare": 0.25, "Nätverk": 0.15, "Resande": 0.10},
    "borgholm": {"Företagare": 0.4, "Resande": 0.3, "Pendlare": 0.15, "Nätverk": 0.15},
}
NEIGHBOURS = {
    "0882": ["0861", "0884", "0880"],
    "0862": ["0881", "0834", "0880"],
    "0885": ["0840", "0880"],
    "0821": ["0860", "0881", "0882"],
    "0883": ["0884", "0860", "0882"],
}
SURVEY_QUESTIONS = [
    (
        "recommend",
        "Hur troligt är det att du skulle rekommendera kontoret till en vän "
        "eller kollega?",
    ),
    ("networking", "Nätverkande – jag får nya kontakter här"),
    ("belonging", "Samhörighet – jag känner mig som en del av gemenskapen"),
    ("atmosphere", "Stämningen på kontoret"),
    ("inspiration", "Inspiration – kontoret ger mig energi och idéer"),
    ("wifi", "Wifi och uppkoppling"),
    ("coffee", "Kaffe och fika"),
    ("parking", "Parkering"),
    ("accessibility", "Tillgänglighet"),
    ("opening_hours", "Öppettider"),
    ("target_group", "Vilken grupp beskriver dig bäst?"),
    ("home_kommun", "Vilken kommun bor du i?"),
    ("free_text", "Övriga synpunkter"),
]
COMMENTS = [
    "Bra kaffe och trevliga människor.",
    "Önskar längre öppettider på fredagar.",
    "Wifi var segt några dagar i veckan.",
    "Skönt att slippa pendla till Kalmar.",
    "Fler frukostträffar, tack!",
    "Parkeringen räcker inte på tisdagar.",
    "",
    "",
]
MEETING_TITLES = ["Kundmöte", "Workshop", "Föreningsmöte", "Teams-möte"]
# which office sends what, by its place in config.yaml, so every programme shows
# several real formats: door data as 15-minute or hourly counter bins or as an
# access log; surveys from Google Forms or Microsoft Forms
DOOR_FORMATS = ("counter-15", "counter-60", "counter-15", "counter-60", "access-log")
SURVEY_PLATFORMS = ("google", "microsoft")
OUTAGE_DAYS = 14  # the first office's counter is out for two weeks, a month back


@dataclass
class Member:
    number: str
    membership: str
    fee: float
    start: date
    end: date | None
    group: str
    kommun: str
    weekly_days: float  # how many days a week they usually come
    books: float  # share of their visits they book a desk for


@dataclass
class OfficeSim:
    office: Office
    rng: random.Random
    until: date
    members: list[Member] = field(default_factory=list)
    visits: dict[date, list[tuple[Member | None, datetime, datetime]]] = field(
        default_factory=dict
    )


def demo_sources(office: Office) -> list[dict]:
    """The ``sources:`` entries the demo's files need (see config.yaml)."""
    base = f"data/inbox/{office.id}"
    return [
        {
            "kind": "bookings",
            "format": "ics",
            "folder": f"{base}/bookings-calendar",
            "options": {
                "calendar": "motesrum",
                "resource": "Mötesrummet",
                "resource_type": "meeting_room",
            },
        },
        {
            "kind": "bookings",
            "format": "csv",
            "folder": f"{base}/bookings-desks",
            "options": {"system": "skrivbordsbokning"},
        },
    ]


def generate(
    config: ProgrammeConfig, seed: int = 2024, until: date | None = None, years: int = 2
) -> list[Path]:
    """Write the demo files for every office; return their paths."""
    until = until or date.today()
    written: list[Path] = []
    for index, office in enumerate(config.offices):
        rng = random.Random(seed * 1000 + index)
        start = max(office.opened, until - timedelta(days=365 * years))
        sim = OfficeSim(office, rng, until)
        _simulate_members(sim, start)
        _simulate_visits(sim, start, ZoneInfo(config.timezone))
        inbox = resolve_path(config, config.ingest.inbox_dir) / office.id
        written += _write_members(sim, inbox / "members")
        written += _write_desk_bookings(sim, inbox / "bookings-desks")
        written.append(_write_calendar(sim, inbox / "bookings-calendar", start))
        door_format = DOOR_FORMATS[index % len(DOOR_FORMATS)]
        if door_format == "access-log":
            written += _write_access_log(sim, inbox / "door")
        else:
            outage = until - timedelta(days=30 + OUTAGE_DAYS) if index == 0 else None
            minutes = int(door_format.removeprefix("counter-"))
            written += _write_counter(sim, inbox / "door", start, minutes, outage)
        platform = SURVEY_PLATFORMS[index % len(SURVEY_PLATFORMS)]
        written += _write_surveys(sim, inbox / "survey", start, platform)
    return written


# --- simulation ----------------------------------------------------------------------


def _simulate_members(sim: OfficeSim, start: date) -> None:
    office, rng = sim.office, sim.rng
    mix = TARGET_MIX.get(office.id, TARGET_MIX["default"])
    slow = office.steering_model.value == "compensation_driven"
    types = list(office.membership_types)
    day, number = start, 1000 + rng.randint(0, 50)
    while day <= sim.until:
        step = office.plan_on(day) or office.plan[0]
        active = sum(
            1 for m in sim.members if m.start <= day and (m.end is None or m.end >= day)
        )
        goal = step.targets.members * (0.7 if slow else 1.05)
        months_open = (day - office.opened).days / 30
        ramp = min(1.0, 0.35 + months_open / (18 if slow else 9))
        if active < goal * ramp and rng.random() < (0.25 if slow else 0.45):
            number += rng.randint(1, 3)
            sim.members.append(_new_member(sim, day, number, mix, types))
        day += timedelta(days=7)


def _new_member(
    sim: OfficeSim, day: date, number: int, mix: dict, types: list
) -> Member:
    rng, office = sim.rng, sim.office
    group = rng.choices(list(mix), weights=list(mix.values()))[0]
    weights = {"prova": 2, "lounge": 2, "flexibel": 5, "fast": 3, "privat": 1}
    kind = rng.choices(types, weights=[weights.get(t.id, 1) for t in types])[0]
    end = None
    if kind.id == "prova":
        end = day + timedelta(days=90)
    elif rng.random() < 0.3:
        end = day + timedelta(days=rng.randint(120, 540))
    if end and end > sim.until:
        end = None if kind.id != "prova" else end
    home = (
        office.kommun
        if rng.random() < 0.7
        else rng.choice(NEIGHBOURS.get(office.kommun, [office.kommun]))
    )
    return Member(
        number=f"M-{number}",
        membership=kind.id,
        fee=kind.monthly_price,
        start=day,
        end=end,
        group=group,
        kommun=KALMAR_KOMMUNER[home],
        weekly_days={
            "lounge": 1.0,
            "prova": 2.5,
            "flexibel": 3.0,
            "fast": 4.2,
            "privat": 4.5,
        }.get(kind.id, 2.0),
        books=0.3 if office.id == "figeholm" else 0.75,  # Figeholm: the Flen lesson
    )


def _open_on(office: Office, day: date, holiday_days: Container[date]) -> bool:
    return office.hours_on(day.weekday()) is not None and day not in holiday_days


def _season(office: Office, day: date) -> float:
    if day.month == 7:
        return 1.8 if office.id == "borgholm" else 0.35
    if office.id == "borgholm" and day.month in (6, 8):
        return 1.4
    if day.month == 12 and day.day > 18:
        return 0.5
    return 1.0


def _simulate_visits(sim: OfficeSim, start: date, zone: ZoneInfo) -> None:
    office, rng = sim.office, sim.rng
    holiday_days = closed_days(start.year, sim.until.year)
    weekday_factor = [0.9, 1.15, 1.2, 1.1, 0.65, 0.5, 0.3]
    day = start
    while day <= sim.until:
        if _open_on(office, day, holiday_days):
            opens, closes = office.hours_on(day.weekday())
            factor = weekday_factor[day.weekday()] * _season(office, day)
            visits = []
            for member in sim.members:
                if member.start <= day and (member.end is None or member.end >= day):
                    if rng.random() < member.weekly_days / 5 * factor:
                        visits.append(
                            (member, *_visit_times(rng, day, opens, closes, zone))
                        )
            drop_ins = rng.randint(
                0, 3 if office.id == "borgholm" and day.month in (6, 7, 8) else 1
            )
            for _ in range(drop_ins):
                visits.append((None, *_visit_times(rng, day, opens, closes, zone)))
            sim.visits[day] = visits
        day += timedelta(days=1)


def _visit_times(rng, day: date, opens: time, closes: time, zone: ZoneInfo):
    open_h = opens.hour + opens.minute / 60
    close_h = closes.hour + closes.minute / 60
    arrive = min(close_h - 1, max(open_h, rng.gauss(8.8, 0.9)))
    stay = max(1.0, min(close_h - arrive, rng.gauss(6.0, 2.0)))
    start = datetime.combine(day, time(0), zone) + timedelta(hours=arrive)
    return start, start + timedelta(hours=stay)


# --- writers ------------------------------------------------------------------------


def _open_csv(path: Path, encoding: str = "utf-8-sig"):
    path.parent.mkdir(parents=True, exist_ok=True)
    return path.open("w", encoding=encoding, newline="")


def _sv_number(value: float) -> str:
    return f"{value:,.0f}".replace(",", "\u00a0")


def _write_members(sim: OfficeSim, folder: Path) -> list[Path]:
    header = [
        "Medlemsnummer",
        "Medlemskap",
        "Månadsavgift",
        "Startdatum",
        "Slutdatum",
        "Målgrupp",
        "Hemkommun",
    ]
    names = {t.id: t.name for t in sim.office.membership_types}
    written = []
    # an export from a year ago overlaps the current one: the upsert must not
    # duplicate members, and ongoing memberships get their later end date
    for cutoff in (sim.until - timedelta(days=365), sim.until):
        rows = [m for m in sim.members if m.start <= cutoff]
        if not rows:
            continue
        path = folder / f"medlemsregister-{cutoff.isoformat()}.csv"
        with _open_csv(path) as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(header)
            for member in rows:
                end = member.end if member.end and member.end <= cutoff else None
                writer.writerow(
                    [
                        member.number,
                        names[member.membership],
                        _sv_number(member.fee),
                        member.start.isoformat(),
                        end.isoformat() if end else "",
                        member.group,
                        member.kommun,
                    ]
                )
            if cutoff == sim.until:
                # a bad row on purpose: a membership type the office doesn't sell
                writer.writerow(
                    [
                        "M-9999",
                        "Guldkort",
                        "9 999",
                        cutoff.isoformat(),
                        "",
                        "Företagare",
                        sim.office.kommun_name,
                    ]
                )
        written.append(path)
    return written


def _write_desk_bookings(sim: OfficeSim, folder: Path) -> list[Path]:
    by_month: dict[str, list] = {}
    rng = sim.rng
    counter = 0
    for day, visits in sorted(sim.visits.items()):
        for member, start, end in visits:
            if member is None or rng.random() > member.books:
                continue
            counter += 1
            by_month.setdefault(day.strftime("%Y-%m"), []).append(
                (f"B{counter:06d}", member, start, end, "Bekräftad")
            )
        # no-shows: booked a desk, never came
        active = [
            m for m in sim.members if m.start <= day and (m.end is None or m.end >= day)
        ]
        if active and visits and rng.random() < 0.25:
            member = rng.choice(active)
            start = visits[0][1].replace(hour=9, minute=0)
            counter += 1
            by_month.setdefault(day.strftime("%Y-%m"), []).append(
                (
                    f"B{counter:06d}",
                    member,
                    start,
                    start + timedelta(hours=8),
                    "Bekräftad",
                )
            )
    written = []
    for month, rows in by_month.items():
        path = folder / f"skrivbordsbokningar-{month}.csv"
        with _open_csv(path) as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(
                ["Boknings-id", "Resurs", "Start", "Slut", "Status", "Medlem", "Pris"]
            )
            for booking_id, member, start, end, status in rows:
                desk = "Fast plats" if member.membership == "fast" else "Flexplats"
                if sim.rng.random() < 0.04:
                    status = "Avbokad"
                writer.writerow(
                    [
                        booking_id,
                        desk,
                        start.strftime("%Y-%m-%d %H:%M"),
                        end.strftime("%Y-%m-%d %H:%M"),
                        status,
                        member.number,
                        "",
                    ]
                )
        written.append(path)
    return written


def _ics_time(moment: datetime) -> str:
    return moment.strftime("%Y%m%dT%H%M%S")


def _write_calendar(sim: OfficeSim, folder: Path, start: date) -> Path:
    """The meeting room's calendar, exported from Outlook/Google as one snapshot."""
    rng, office = sim.rng, sim.office
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//Google Inc//Google Calendar 70.9054//EN",
        "X-WR-CALNAME:Mötesrummet",
        "X-WR-TIMEZONE:Europe/Stockholm",
    ]
    stamp = "20261101T080000Z"
    # a weekly network breakfast and a monthly steering meeting (recurring series)
    first_tuesday = start + timedelta(days=(1 - start.weekday()) % 7)
    skipped = [first_tuesday + timedelta(weeks=w) for w in (3, 11, 30)]
    lines += [
        "BEGIN:VEVENT",
        f"UID:frukost-{office.id}@pilotpuls.demo",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID=Europe/Stockholm:{first_tuesday:%Y%m%d}T073000",
        f"DTEND;TZID=Europe/Stockholm:{first_tuesday:%Y%m%d}T090000",
        "RRULE:FREQ=WEEKLY;BYDAY=TU",
        "EXDATE;TZID=Europe/Stockholm:"
        + ",".join(f"{d:%Y%m%d}T073000" for d in skipped),
        "SUMMARY:Nätverksfrukost",
        "STATUS:CONFIRMED",
        "END:VEVENT",
        "BEGIN:VEVENT",
        f"UID:styrgrupp-{office.id}@pilotpuls.demo",
        f"DTSTAMP:{stamp}",
        f"DTSTART;TZID=Europe/Stockholm:{start:%Y%m}15T130000",
        f"DTEND;TZID=Europe/Stockholm:{start:%Y%m}15T150000",
        "RRULE:FREQ=MONTHLY;BYMONTHDAY=15;COUNT=24",
        "SUMMARY:Styrgruppsmöte",
        "STATUS:CONFIRMED",
        "END:VEVENT",
    ]
    # one breakfast moved an hour later (an override of the series)
    moved = first_tuesday + timedelta(weeks=5)
    lines += [
        "BEGIN:VEVENT",
        f"UID:frukost-{office.id}@pilotpuls.demo",
        f"DTSTAMP:{stamp}",
        f"RECURRENCE-ID;TZID=Europe/Stockholm:{moved:%Y%m%d}T073000",
        f"DTSTART;TZID=Europe/Stockholm:{moved:%Y%m%d}T083000",
        f"DTEND;TZID=Europe/Stockholm:{moved:%Y%m%d}T100000",
        "SUMMARY:Nätverksfrukost (senare start)",
        "END:VEVENT",
    ]
    # one-off bookings by members and external guests, some cancelled, in UTC
    day = start
    n = 0
    while day <= sim.until + timedelta(days=60):
        if day.weekday() < 5 and rng.random() < 0.35:
            n += 1
            begin = datetime.combine(
                day, time(rng.choice((9, 10, 13, 14))), ZoneInfo("Europe/Stockholm")
            )
            hours = rng.choice((1, 2, 3))
            utc = ZoneInfo("UTC")
            lines += [
                "BEGIN:VEVENT",
                f"UID:{office.id}-{n:05d}@pilotpuls.demo",
                f"DTSTAMP:{stamp}",
                f"DTSTART:{_ics_time(begin.astimezone(utc))}Z",
                f"DTEND:{_ics_time((begin + timedelta(hours=hours)).astimezone(utc))}Z",
                f"SUMMARY:{rng.choice(MEETING_TITLES)}",
                "STATUS:" + ("CANCELLED" if rng.random() < 0.06 else "CONFIRMED"),
                "END:VEVENT",
            ]
        day += timedelta(days=1)
    # a broken event on purpose: its DTSTART has no usable value
    lines += [
        "BEGIN:VEVENT",
        f"UID:trasig-{office.id}@pilotpuls.demo",
        f"DTSTAMP:{stamp}",
        'DTSTART;TZID="W. Europe Standard Time:20250609T090000"',
        "SUMMARY:Trasig bokning",
        "END:VEVENT",
        "END:VCALENDAR",
    ]
    path = folder / "motesrum.ics"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def _bins(sim: OfficeSim, day: date, minutes: int, zone: ZoneInfo) -> list[tuple]:
    """(local start, entries, exits) for every bin of a day (DST days have 23/25 h)."""
    counts: dict[datetime, list[int]] = {}
    for _, arrive, leave in sim.visits.get(day, []):
        trips = [(arrive, leave)]
        if sim.rng.random() < 0.4:  # out for lunch and back
            lunch = arrive.replace(hour=12, minute=sim.rng.choice((0, 15, 30)))
            if arrive < lunch < leave - timedelta(hours=1):
                trips = [(arrive, lunch), (lunch + timedelta(minutes=45), leave)]
        for enter, out in trips:
            counts.setdefault(_floor(enter, minutes), [0, 0])[0] += 1
            counts.setdefault(_floor(out, minutes), [0, 0])[1] += 1
    start = datetime.combine(day, time(0), zone).astimezone(ZoneInfo("UTC"))
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(
        ZoneInfo("UTC")
    )
    rows, cursor = [], start
    while cursor < end:
        local = cursor.astimezone(zone)
        entries, exits = counts.get(_floor(local, minutes), [0, 0])
        rows.append((local, entries, exits))
        cursor += timedelta(minutes=minutes)
    return rows


def _floor(moment: datetime, minutes: int) -> datetime:
    moment = moment.astimezone(moment.tzinfo)
    return moment.replace(
        minute=moment.minute - moment.minute % minutes, second=0, microsecond=0
    )


def _write_counter(
    sim: OfficeSim, folder: Path, start: date, minutes: int, outage: date | None
) -> list[Path]:
    zone = ZoneInfo("Europe/Stockholm")
    files: dict[str, list] = {}
    day = start
    while day <= sim.until:
        if not (outage and outage <= day < outage + timedelta(days=OUTAGE_DAYS)):
            files.setdefault(day.strftime("%Y-%m"), []).extend(
                _bins(sim, day, minutes, zone)
            )
        day += timedelta(days=1)
    written = []
    for month, rows in files.items():
        path = folder / f"personraknare-{month}.csv"
        with _open_csv(path, encoding="utf-8") as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["Datum", "Tid", "Dörr", "In", "Ut"])
            for i, (local, entries, exits) in enumerate(rows):
                value_in: str = str(entries)
                if month.endswith("-03") and i == 500:
                    value_in = "Gate broken"  # a bad row on purpose
                writer.writerow(
                    [
                        local.strftime("%Y-%m-%d"),
                        local.strftime("%H:%M"),
                        "Entré",
                        value_in,
                        exits,
                    ]
                )
        written.append(path)
    return written


def _write_access_log(sim: OfficeSim, folder: Path) -> list[Path]:
    files: dict[str, list] = {}
    for day, visits in sorted(sim.visits.items()):
        for _member, arrive, leave in visits:
            card = f"{sim.rng.randint(10**7, 10**8 - 1)}"  # never stored by the reader
            month = files.setdefault(day.strftime("%Y-%m"), [])
            month.append((arrive, "Huvudentré", "In", card, "Beviljad"))
            month.append((leave, "Huvudentré", "Ut", card, "Beviljad"))
            if sim.rng.random() < 0.02:
                month.append(
                    (arrive - timedelta(minutes=1), "Huvudentré", "In", card, "Nekad")
                )
    written = []
    for month, events in files.items():
        path = folder / f"passerlogg-{month}.csv"
        with _open_csv(path) as handle:
            writer = csv.writer(handle, delimiter=";")
            writer.writerow(["Tidpunkt", "Dörr", "Riktning", "Kort", "Resultat"])
            for moment, door, direction, card, result in sorted(events):
                writer.writerow(
                    [
                        moment.strftime("%Y-%m-%d %H:%M:%S"),
                        door,
                        direction,
                        card,
                        result,
                    ]
                )
        written.append(path)
    return written


def _answers(sim: OfficeSim, member: Member) -> dict[str, str]:
    rng = sim.rng
    mood = {"hogsby": -0.4, "vastervik": 0.3, "borgholm": 0.2}.get(sim.office.id, 0.0)

    def scale() -> str:
        return str(max(1, min(5, round(rng.gauss(3.9 + mood, 0.9)))))

    answers = {key: scale() for key, _ in SURVEY_QUESTIONS[1:10]}
    answers["recommend"] = str(max(0, min(10, round(rng.gauss(8.0 + mood * 2, 1.7)))))
    answers["target_group"] = member.group
    answers["home_kommun"] = member.kommun
    answers["free_text"] = rng.choice(COMMENTS)
    return answers


def _write_surveys(
    sim: OfficeSim, folder: Path, start: date, platform: str
) -> list[Path]:
    written = []
    for year in range(start.year, sim.until.year + 1):
        for month in (3, 10):
            when = date(year, month, 14)
            if not start + timedelta(days=60) <= when <= sim.until:
                continue
            active = [
                m
                for m in sim.members
                if m.start <= when and (m.end is None or m.end >= when)
            ]
            respondents = [m for m in active if sim.rng.random() < 0.55]
            if not respondents:
                continue  # nobody answered: a form export with no rows is not sent
            if platform == "microsoft":
                written.append(_write_ms_forms(sim, folder, when, respondents))
            else:
                written.append(_write_google_forms(sim, folder, when, respondents))
    return written


def _write_google_forms(sim: OfficeSim, folder: Path, when: date, people: list) -> Path:
    path = folder / f"medlemsenkat-{when:%Y-%m}.csv"
    with _open_csv(path, encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)
        writer.writerow(["Tidstämpel"] + [q for _, q in SURVEY_QUESTIONS])
        for i, member in enumerate(people):
            moment = datetime.combine(when, time(8)) + timedelta(
                hours=i * 5 + sim.rng.randint(0, 4), minutes=sim.rng.randint(0, 59)
            )
            stamp = moment.strftime("%Y/%m/%d %I:%M:%S %p") + (
                " GMT+1" if moment.month in (1, 2, 3, 11, 12) else " GMT+2"
            )
            if i == 3:
                stamp = "igår kväll"  # a bad row on purpose: not a timestamp
            answers = _answers(sim, member)
            writer.writerow([stamp] + [answers[key] for key, _ in SURVEY_QUESTIONS])
    return path


def _write_ms_forms(sim: OfficeSim, folder: Path, when: date, people: list) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "Sheet1"
    sheet.append(
        ["ID", "Start time", "Completion time", "Email", "Name"]
        + [q for _, q in SURVEY_QUESTIONS]
    )
    for i, member in enumerate(people, 1):
        done = datetime.combine(when, time(9)) + timedelta(
            hours=i * 3, minutes=sim.rng.randint(0, 59)
        )
        answers = _answers(sim, member)
        values = [
            int(answers[k]) if k in dict(SURVEY_QUESTIONS[:10]) else answers[k]
            for k, _ in SURVEY_QUESTIONS
        ]
        sheet.append([i, done - timedelta(minutes=6), done, "anonymous", ""] + values)
    # fixed document dates: the same seed gives byte-identical files
    book.properties.created = book.properties.modified = datetime(when.year, 1, 1)
    path = folder / f"medlemsenkat-{when:%Y-%m}.xlsx"
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
    return path
