"""The occupancy arithmetic as the pages computed it before the running occupancy
was stored per day (from the hourly door rollup, per request, with DataFrame
merges for the office days): the reference the rollup and the office × day
grid are tested against. Not used by the application."""

from __future__ import annotations

from datetime import date, datetime

import numpy as np
import pandas as pd
import sqlalchemy as sa
import sqlalchemy.orm as so

from dashboard.queries import occupancy as queries
from models import tables as t
from models.days import closed_days


def hour_grid(
    counts: pd.DataFrame, ids: list[str], start: datetime, end: datetime, zone: str
) -> pd.DataFrame:
    """Every UTC hour of the range for every office, with its counts (0 if none)."""
    utc = [pd.Timestamp(moment).tz_convert("UTC") for moment in (start, end)]
    grid = pd.DataFrame({"hour_start": pd.date_range(*utc, freq="h", inclusive="left")})
    grid = pd.DataFrame({"office_id": ids}).merge(grid, how="cross")
    grid["hour_start"] = grid["hour_start"].astype("datetime64[ns, UTC]")
    if not counts.empty:
        counts = counts.assign(
            hour_start=pd.to_datetime(counts["hour_start"], utc=True).astype(
                "datetime64[ns, UTC]"
            )
        )
        grid = grid.merge(counts, on=["office_id", "hour_start"], how="left")
    else:
        grid = grid.assign(entries=0, exits=0)
    grid[["entries", "exits"]] = grid[["entries", "exits"]].fillna(0)
    local = grid["hour_start"].dt.tz_convert(zone)
    return grid.assign(
        day=local.dt.date, weekday=local.dt.day_of_week, hour=local.dt.hour
    )


def running_occupancy(
    hourly: pd.DataFrame, days: pd.DataFrame, hours: pd.DataFrame
) -> pd.DataFrame:
    """Running occupancy per office-day with data; whether each hour is open."""
    with_data = days.loc[days["has_data"].astype(bool), ["office_id", "day"]]
    hourly = hourly.merge(with_data, on=["office_id", "day"]).sort_values(
        ["office_id", "hour_start"]
    )
    net = (hourly["entries"] - hourly["exits"]).astype(float)
    running = net.groupby([hourly["office_id"], hourly["day"]]).cumsum()
    hourly["occupancy"] = running.clip(lower=0)
    hourly = hourly.merge(hours, on=["office_id", "weekday"], how="left")
    # an hour is open if it overlaps the opening hours (07:30 opens the 07 hour)
    hourly["in_hours"] = (hourly["hour"] * 60 < hourly["closes"]) & (
        (hourly["hour"] + 1) * 60 > hourly["opens"]
    )
    return hourly


def day_occupancy(days: pd.DataFrame, hourly: pd.DataFrame) -> pd.DataFrame:
    """Add each office-day's peak (any hour) and average (opening hours) occupancy."""
    keys = ["office_id", "day"]
    peak = hourly.groupby(keys)["occupancy"].max().rename("peak_occupancy")
    average = (
        hourly[hourly["in_hours"].astype(bool)]
        .groupby(keys)["occupancy"]
        .mean()
        .rename("avg_occupancy")
    )
    days = days.merge(peak, on=keys, how="left").merge(average, on=keys, how="left")
    return days.reset_index(drop=True)


def days_with_data(
    session: so.Session,
    info: pd.DataFrame,
    hours: pd.DataFrame,
    first: date,
    last: date,
) -> pd.DataFrame:
    """Every office-day from its opening: open, entries, exits, has data."""
    ids = list(info["office_id"])
    days = office_days(info, hours, first, last)
    columns = ["office_id", "day", "entries", "exits", "hours_with_data"]
    d = t.DoorDaily
    daily = pd.DataFrame(
        session.execute(
            sa.select(*(getattr(d, c) for c in columns)).where(
                d.office_id.in_(ids), d.day >= first, d.day <= last
            )
        ).all(),
        columns=columns,
    )
    logged = set(info["office_id"][info["logged"].astype(bool)])
    return with_data(days, daily, logged)


def office_days(
    info: pd.DataFrame, hours: pd.DataFrame, first: date, last: date
) -> pd.DataFrame:
    holiday = closed_days(first.year, last.year)
    dates = pd.date_range(first, last, freq="D").date
    calendar = pd.DataFrame(
        {
            "day": dates,
            "weekday": [d.weekday() for d in dates],
            "holiday": [d in holiday for d in dates],
        }
    )
    days = info[["office_id", "opened_on"]].merge(calendar, how="cross")
    days = days[days["day"] >= days["opened_on"]]
    open_hours = hours.assign(open_minutes=hours["closes"] - hours["opens"])
    days = days.merge(
        open_hours[["office_id", "weekday", "open_minutes"]],
        on=["office_id", "weekday"],
        how="left",
    )
    days["open"] = days["open_minutes"].notna() & ~days["holiday"]
    return days.drop(columns=["opened_on", "holiday"])


def with_data(
    days: pd.DataFrame, daily: pd.DataFrame, event_logs: set[str]
) -> pd.DataFrame:
    days = days.merge(daily, on=["office_id", "day"], how="left")
    open_hours = (days["open_minutes"].fillna(24 * 60) / 60).clip(
        upper=queries.COMPLETE_HOURS
    )
    needed = np.where(days["office_id"].isin(event_logs), 1, np.ceil(open_hours))
    days["has_data"] = days["hours_with_data"].fillna(0).to_numpy() >= needed
    for column in ("entries", "exits"):
        days[column] = days[column].where(days["has_data"])
    return days


def with_plan(days: pd.DataFrame, plan: pd.DataFrame) -> pd.DataFrame:
    """The plan step valid on each day: the latest ``valid_from`` on or before it."""
    if plan.empty:
        return days.assign(seats=np.nan, target_utilisation=np.nan)
    left = days.assign(key=pd.to_datetime(days["day"])).sort_values("key")
    right = plan.assign(key=pd.to_datetime(plan["valid_from"])).sort_values("key")
    merged = pd.merge_asof(
        left, right.drop(columns="valid_from"), on="key", by="office_id"
    )
    return merged.drop(columns="key").sort_values(["office_id", "day"])
