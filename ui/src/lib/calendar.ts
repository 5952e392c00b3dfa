// The calendar's pure logic: posts as calendar entries (the month grid's and FullCalendar's
// events), what a drag may do to a post and where a click on an empty day or slot puts the new
// post.
import type { EventInput } from '@fullcalendar/core';
import type { PostStatus, PostSummary, TargetState } from './types';
import { localParts, systemZone, zonedInstant } from './zoned';

export type CalendarViewType = 'dayGridMonth' | 'timeGridWeek' | 'timeGridDay' | 'listWeek';
export const CALENDAR_VIEWS: { type: CalendarViewType; label: string; key: string }[] = [
  { type: 'dayGridMonth', label: 'Month', key: '1' },
  { type: 'timeGridWeek', label: 'Week', key: '2' },
  { type: 'timeGridDay', label: 'Day', key: '3' },
  { type: 'listWeek', label: 'List', key: '4' },
];

export interface CalendarTarget {
  accountId: string;
  platform: string;
  state: TargetState;
}
export interface PostEventProps {
  status: PostStatus;
  /** Each platform once, in the order the targets list them. */
  platforms: string[];
  targets: CalendarTarget[];
  tags: string[];
  isDraft: boolean;
}

/** How many posts a day of the month view shows; the rest are counted in "+N more". */
export const MONTH_POSTS_PER_DAY = 3;

/** What dropping a post at a new time does. */
export type DropAction = 'reschedule' | 'duplicate' | 'none';

export function dropAction(status: PostStatus): DropAction {
  if (status === 'draft' || status === 'scheduled') return 'reschedule';
  if (status === 'published' || status === 'partial') return 'duplicate';
  return 'none';
}

/** What the calendar shows of a post besides its text and time. */
export function postProps(post: PostSummary): PostEventProps {
  const targets = post.targets.map(([accountId, platform, state]) => ({ accountId, platform, state }));
  return {
    status: post.status,
    platforms: [...new Set(targets.map((t) => t.platform))],
    targets,
    tags: post.tags,
    isDraft: post.status === 'draft',
  };
}

/** The text a post shows under on the calendar. */
export function postTitle(post: PostSummary): string {
  return post.preview.trim() || 'Untitled post';
}

/** The classes that colour a post by its status (a draft with a time is drawn dashed). */
export function postClasses(status: PostStatus): string[] {
  return ['sp-event', `sp-st-${status}`, ...(status === 'draft' ? ['sp-planned'] : [])];
}

/** A post as a FullCalendar event; null for a post with no time (it has no place on the
 * calendar). */
export function toEvent(post: PostSummary): EventInput | null {
  if (!post.scheduled_at) return null;
  return {
    id: post.id,
    title: postTitle(post),
    start: post.scheduled_at,
    allDay: false,
    startEditable: dropAction(post.status) !== 'none',
    durationEditable: false,
    classNames: postClasses(post.status),
    extendedProps: postProps(post),
  };
}

export function toEvents(posts: PostSummary[]): EventInput[] {
  return posts.map(toEvent).filter((e): e is EventInput => e !== null);
}

/** The time a new post gets from a click on the calendar. A click on a day (no time) gives
 * 09:00 that day, or the next full hour when that day is today and 09:00 has passed. A click on
 * a time slot gives that time. `dateStr` is FullCalendar's string for the clicked date,
 * `zone` the calendar's time zone ('local' or an IANA name). */
export function clickedTime(dateStr: string, allDay: boolean, zone: string, now: Date = new Date()): Date {
  // A clicked slot's string carries its offset; a clicked day's is a bare date.
  if (!allDay) return new Date(dateStr);
  const iana = ianaZone(zone);
  const nine = zonedInstant(dateStr, '09:00', iana)!;
  if (localParts(now, iana).date !== dateStr || nine > now) return nine;
  const inAnHour = localParts(new Date(now.getTime() + 3_600_000), iana);
  return zonedInstant(inAnHour.date, `${inAnHour.time.slice(0, 2)}:00`, iana)!;
}

/** The IANA name of the calendar's time zone ('local' is the system's). */
export function ianaZone(zone: string): string {
  return zone === 'local' ? systemZone() : zone;
}

/** FullCalendar's `firstDay` for the week-start setting. */
export function firstDay(weekStart: 'monday' | 'sunday' | 'saturday' | undefined): number {
  return weekStart === 'sunday' ? 0 : weekStart === 'saturday' ? 6 : 1;
}

/** The inside of a calendar event: time, text, platform badges and status. `nameOf` gives a
 * platform's display name, `initialsOf` its badge text. */
export function eventContent(
  props: PostEventProps,
  title: string,
  timeText: string,
  viewType: string,
  nameOf: (platform: string) => string,
  initialsOf: (name: string) => string,
  labelOf: (status: PostStatus) => string,
): HTMLElement {
  const el = (tag: string, className: string, text?: string) => {
    const node = document.createElement(tag);
    node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  const root = el('div', `sp-ev sp-ev--${viewType.startsWith('list') ? 'list' : viewType.startsWith('timeGrid') ? 'grid' : 'month'}`);
  const line = el('div', 'sp-ev-line');
  if (timeText && !viewType.startsWith('list')) line.append(el('span', 'sp-ev-time', timeText));
  line.append(el('span', 'sp-ev-title', title));
  const meta = el('div', 'sp-ev-meta');
  const held = heldPlatforms(props);
  for (const platform of props.platforms) {
    const name = nameOf(platform);
    const withServer = held.includes(platform);
    const badge = el('span', `sp-ev-badge${withServer ? ' sp-ev-badge--held' : ''}`, initialsOf(name));
    badge.title = withServer ? `${name}: with the server` : name;
    meta.append(badge);
  }
  meta.append(el('span', 'sp-ev-status', labelOf(props.status)));
  root.append(line, meta);
  return root;
}

/** What a screen reader says for an event. */
export function eventLabel(props: PostEventProps, title: string, when: string, nameOf: (platform: string) => string, labelOf: (status: PostStatus) => string): string {
  const platforms = props.platforms.map(nameOf).join(', ') || 'no accounts';
  const held = heldPlatforms(props).map(nameOf).join(', ');
  return `${labelOf(props.status)}, ${when}: ${title} (${platforms})${held ? `; with the server on ${held}` : ''}`;
}

/** The platforms whose server holds the post (server-side scheduling). */
export function heldPlatforms(props: PostEventProps): string[] {
  return [...new Set(props.targets.filter((t) => t.state === 'handed_off').map((t) => t.platform))];
}
