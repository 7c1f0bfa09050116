"""The occupancy arithmetic as the pages computed it before ``door_day_occupancy``
(from the hourly door rollup, per request): the reference the rollup is tested
against. Not used by the application."""

from __future__ import annotations

from datetime import datetime

import pandas as pd


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
