//! Wall-clock times in IANA zones: turning a local date and time into UTC across DST changes,
//! and finding an account's next free posting slot. The zones' rules come from the operating
//! system's time zone database (`/usr/share/zoneinfo` on Linux and macOS, through `jiff`), so
//! they follow the system's updates; the rest of the engine keeps `chrono` types.

use chrono::{DateTime, Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Timelike, Utc};
use jiff::tz::{AmbiguousOffset, TimeZone};
use jiff::{Timestamp, civil};
use serde::Serialize;

/// An IANA time zone, as the system's database describes it.
pub type Zone = TimeZone;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a known time zone (use an IANA name such as Europe/Berlin)")]
pub struct UnknownZone(pub String);

/// A date outside the years time zone rules cover.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{0} is outside the years -9999 to 9999")]
pub struct OutOfRange(pub String);

/// The machine's IANA zone, or UTC when the system does not name one.
pub fn system_zone() -> String {
    iana_time_zone::get_timezone()
        .ok()
        .filter(|name| parse_zone(name).is_ok())
        .unwrap_or_else(|| "UTC".to_owned())
}

/// The zone the user chose in settings, else the machine's.
pub fn user_zone(setting: Option<String>) -> String {
    setting.unwrap_or_else(system_zone)
}

pub fn parse_zone(name: &str) -> Result<Zone, UnknownZone> {
    TimeZone::get(name).map_err(|_| UnknownZone(name.to_owned()))
}

/// A local time resolved to UTC, and whether it had to move because the clocks changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Resolved {
    pub utc: DateTime<Utc>,
    /// The local time did not exist (spring forward) and moved later by the gap.
    pub shifted: bool,
}

/// Resolves a local time in `zone`. A time skipped by a spring-forward change moves later by the
/// length of the gap (02:30 → 03:30); a time that occurs twice (fall back) takes the first
/// occurrence — as calendar standards (RFC 5545) do.
pub fn resolve_local(local: NaiveDateTime, zone: &Zone) -> Result<Resolved, OutOfRange> {
    let out_of_range = || OutOfRange(local.to_string());
    let ambiguous = zone.to_ambiguous_timestamp(to_civil(local).ok_or_else(out_of_range)?);
    let shifted = matches!(ambiguous.offset(), AmbiguousOffset::Gap { .. });
    // "Compatible" reads a skipped time with the offset before the gap and a repeated one with
    // the first offset: the behaviour described above.
    let at = ambiguous.compatible().map_err(|_| out_of_range())?;
    Ok(Resolved { utc: to_utc(at).ok_or_else(out_of_range)?, shifted })
}

/// The local date in `zone` at the instant `at`.
fn local_date(at: DateTime<Utc>, zone: &Zone) -> Result<NaiveDate, OutOfRange> {
    let out_of_range = || OutOfRange(at.to_rfc3339());
    let instant = Timestamp::new(at.timestamp(), at.timestamp_subsec_nanos() as i32)
        .map_err(|_| out_of_range())?;
    let date = zone.to_datetime(instant).date();
    NaiveDate::from_ymd_opt(date.year().into(), date.month() as u32, date.day() as u32)
        .ok_or_else(out_of_range)
}

fn to_civil(local: NaiveDateTime) -> Option<civil::DateTime> {
    let small = |n: u32| i8::try_from(n).ok();
    civil::DateTime::new(
        i16::try_from(local.year()).ok()?,
        small(local.month())?,
        small(local.day())?,
        small(local.hour())?,
        small(local.minute())?,
        small(local.second())?,
        i32::try_from(local.nanosecond()).ok()?,
    )
    .ok()
}

fn to_utc(at: Timestamp) -> Option<DateTime<Utc>> {
    DateTime::from_timestamp(at.as_second(), u32::try_from(at.subsec_nanosecond()).ok()?)
}

/// The bounds of the local days of `zone` that `[from, to)` covers: `from`, each local
/// midnight after it, then `to`.
pub fn day_bounds(
    from: DateTime<Utc>,
    to: DateTime<Utc>,
    zone: &Zone,
) -> Result<Vec<DateTime<Utc>>, OutOfRange> {
    let mut bounds = vec![from];
    let mut day = local_date(from, zone)?;
    loop {
        day = day.succ_opt().ok_or_else(|| OutOfRange(day.to_string()))?;
        let midnight = resolve_local(day.and_time(NaiveTime::MIN), zone)?.utc;
        if midnight >= to {
            break;
        }
        bounds.push(midnight);
    }
    bounds.push(to);
    Ok(bounds)
}

/// The first slot (weekday 0 = Monday, minute of the local day) strictly after `after`, in
/// `zone`, whose time is not in `taken`; looks up to `days` days ahead.
pub fn next_free_slot(
    slots: &[(u8, u16)],
    zone: &Zone,
    after: DateTime<Utc>,
    taken: &[DateTime<Utc>],
    days: u32,
) -> Option<DateTime<Utc>> {
    let start = local_date(after, zone).ok()?;
    let mut sorted = slots.to_vec();
    sorted.sort_unstable();
    (0..=days).find_map(|offset| {
        let day = start + Duration::days(i64::from(offset));
        let weekday = day.weekday().num_days_from_monday() as u8;
        sorted
            .iter()
            .filter(|(d, _)| *d == weekday)
            .filter_map(|(_, minute)| {
                let time =
                    NaiveTime::from_num_seconds_from_midnight_opt(u32::from(*minute) * 60, 0)?;
                Some(resolve_local(day.and_time(time), zone).ok()?.utc)
            })
            .find(|at| *at > after && !taken.contains(at))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn local(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }

    #[test]
    fn spring_forward_gap_moves_later_in_new_york_and_berlin() {
        let ny = resolve_local(local("2027-03-14 02:30"), &parse_zone("America/New_York").unwrap())
            .unwrap();
        assert!(ny.shifted);
        assert_eq!(ny.utc.to_rfc3339(), "2027-03-14T07:30:00+00:00"); // 03:30 EDT
        let berlin =
            resolve_local(local("2027-03-28 02:30"), &parse_zone("Europe/Berlin").unwrap())
                .unwrap();
        assert!(berlin.shifted);
        assert_eq!(berlin.utc.to_rfc3339(), "2027-03-28T01:30:00+00:00"); // 03:30 CEST
    }

    #[test]
    fn fall_back_takes_the_first_occurrence() {
        let ny = resolve_local(local("2027-11-07 01:30"), &parse_zone("America/New_York").unwrap())
            .unwrap();
        assert!(!ny.shifted);
        assert_eq!(ny.utc.to_rfc3339(), "2027-11-07T05:30:00+00:00"); // 01:30 EDT
    }

    #[test]
    fn day_bounds_follow_local_midnights_across_a_dst_change() {
        let berlin = parse_zone("Europe/Berlin").unwrap();
        let from = resolve_local(local("2027-03-27 00:00"), &berlin).unwrap().utc;
        let to = resolve_local(local("2027-03-30 00:00"), &berlin).unwrap().utc;
        let bounds: Vec<String> =
            day_bounds(from, to, &berlin).unwrap().iter().map(|b| b.to_rfc3339()).collect();
        assert_eq!(
            bounds,
            [
                "2027-03-26T23:00:00+00:00", // Sat 27 March, 00:00 CET
                "2027-03-27T23:00:00+00:00", // Sun 28 March, 00:00 CET (23 hours long)
                "2027-03-28T22:00:00+00:00", // Mon 29 March, 00:00 CEST
                "2027-03-29T22:00:00+00:00", // the end
            ]
        );
        let mid_day = from + Duration::hours(12);
        assert_eq!(day_bounds(mid_day, mid_day + Duration::hours(1), &berlin).unwrap().len(), 2);
    }

    #[test]
    fn the_users_zone_falls_back_to_a_valid_system_zone() {
        assert_eq!(user_zone(Some("Asia/Tokyo".into())), "Asia/Tokyo");
        assert!(parse_zone(&user_zone(None)).is_ok());
    }

    #[test]
    fn a_date_beyond_the_zones_years_is_an_error() {
        let far = NaiveDate::from_ymd_opt(12_000, 1, 1).unwrap().and_time(NaiveTime::MIN);
        let berlin = parse_zone("Europe/Berlin").unwrap();
        assert_eq!(resolve_local(far, &berlin).unwrap_err(), OutOfRange(far.to_string()));
        let far_utc = far.and_utc();
        assert!(day_bounds(far_utc, far_utc + Duration::days(2), &berlin).is_err());
    }

    #[test]
    fn unknown_zone_is_an_error() {
        assert_eq!(parse_zone("Mars/Olympus").unwrap_err(), UnknownZone("Mars/Olympus".into()));
    }

    #[test]
    fn next_slot_skips_taken_and_past_times() {
        let zone = parse_zone("Europe/Berlin").unwrap();
        // Monday 2027-01-04 10:00 Berlin = 09:00 UTC.
        let after = resolve_local(local("2027-01-04 10:00"), &zone).unwrap().utc;
        let slots = [(0, 9 * 60), (0, 10 * 60), (0, 14 * 60), (2, 8 * 60)];
        let taken = [resolve_local(local("2027-01-04 14:00"), &zone).unwrap().utc];
        let next = next_free_slot(&slots, &zone, after, &taken, 14).unwrap();
        assert_eq!(next, resolve_local(local("2027-01-06 08:00"), &zone).unwrap().utc);
        assert_eq!(next_free_slot(&[], &zone, after, &[], 14), None);
    }
}
