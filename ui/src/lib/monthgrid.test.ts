import { describe, expect, it } from 'vitest';
import { addDays, addMonths, dateIn, dayLabel, daysByDate, gridWindow, monthTitle, monthWeeks, movedTo, weekdayNames } from './monthgrid';

describe('monthWeeks', () => {
  it('spans the month in whole weeks from a Monday, filling the edges with the next months', () => {
    // November 2026 starts on a Sunday and ends on a Monday.
    const weeks = monthWeeks('2026-11-23', 1);
    expect(weeks).toHaveLength(6);
    expect(weeks.every((w) => w.length === 7)).toBe(true);
    expect(weeks[0][0]).toEqual({ date: '2026-10-26', day: 26, inMonth: false });
    expect(weeks[0][6]).toEqual({ date: '2026-11-01', day: 1, inMonth: true });
    expect(weeks[5][0]).toEqual({ date: '2026-11-30', day: 30, inMonth: true });
    expect(weeks[5][6]).toEqual({ date: '2026-12-06', day: 6, inMonth: false });
  });

  it('follows the week start and uses only the rows the month needs', () => {
    const sunday = monthWeeks('2026-11-01', 0);
    expect(sunday).toHaveLength(5);
    expect(sunday[0][0].date).toBe('2026-11-01');
    expect(sunday[4][6].date).toBe('2026-12-05');
    // February 2027 starts on a Monday and fills exactly four Monday-to-Sunday weeks.
    const february = monthWeeks('2027-02-10', 1);
    expect(february).toHaveLength(4);
    expect(february[0][0].date).toBe('2027-02-01');
    expect(monthWeeks('2027-02-10', 6)[0][0].date).toBe('2027-01-30');
  });

  it('handles leap years', () => {
    const weeks = monthWeeks('2028-02-01', 1).flat();
    expect(weeks.filter((d) => d.inMonth).map((d) => d.day).at(-1)).toBe(29);
  });
});

describe('civil dates', () => {
  it('moves by days and months across month and year ends', () => {
    expect(addDays('2026-12-31', 1)).toBe('2027-01-01');
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addMonths('2026-12-15', 1)).toBe('2027-01-01');
    expect(addMonths('2026-01-31', -1)).toBe('2025-12-01');
  });
});

describe('gridWindow', () => {
  it("covers the grid's days from local midnight to local midnight in the zone", () => {
    const weeks = monthWeeks('2026-03-10', 1); // 23 Feb to 5 Apr; Europe/Berlin changes on 29 Mar
    const { from, to } = gridWindow(weeks, 'Europe/Berlin');
    expect(from.toISOString()).toBe('2026-02-22T23:00:00.000Z');
    expect(to.toISOString()).toBe('2026-04-05T22:00:00.000Z');
  });
});

describe('daysByDate', () => {
  it("files each loaded day under its date in the calendar's zone", () => {
    const byDate = daysByDate([{ start: '2026-05-13T22:00:00Z', total: 0, posts: [] }, { start: '2026-05-14T22:00:00Z', total: 2, posts: [] }], 'Europe/Paris');
    expect([...byDate.keys()]).toEqual(['2026-05-14', '2026-05-15']);
    expect(byDate.get('2026-05-15')!.total).toBe(2);
  });
});

describe('movedTo', () => {
  it('keeps the local time of day on the day dropped on, across a daylight-saving change', () => {
    // 09:30:15 in New York on Friday 6 March 2026 (EST), moved to Monday 9 March (EDT).
    const at = new Date('2026-03-06T14:30:15Z');
    expect(movedTo(at, '2026-03-09', 'America/New_York').toISOString()).toBe('2026-03-09T13:30:15.000Z');
    expect(dateIn(at, 'America/New_York')).toBe('2026-03-06');
  });

  it('moves a time the change skips forward by the change', () => {
    const at = new Date('2026-03-07T07:30:00Z'); // 02:30 in New York; on 8 March 02:30 is 03:30 EDT
    expect(movedTo(at, '2026-03-08', 'America/New_York').toISOString()).toBe('2026-03-08T07:30:00.000Z');
  });
});

describe('names', () => {
  it('names the weekdays from the week start, the month and a day', () => {
    expect(weekdayNames(1, 'en-GB').map((d) => d.short)).toEqual(['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']);
    expect(weekdayNames(6, 'en-GB')[0]).toEqual({ short: 'Sat', long: 'Saturday' });
    expect(monthTitle('2026-11-23', 'en-GB')).toBe('November 2026');
    expect(dayLabel('2026-11-24', 'en-GB')).toMatch(/^Tuesday,? 24 November 2026$/);
  });
});
