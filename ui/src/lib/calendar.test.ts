import { describe, expect, it } from 'vitest';
import { clickedTime, dropAction, eventContent, eventLabel, firstDay, ianaZone, postClasses, toEvent, toEvents, type PostEventProps } from './calendar';
import type { PostSummary } from './types';

const summary = (over: Partial<PostSummary> = {}): PostSummary => ({
  id: 'p1',
  preview: 'Fresh beans today',
  scheduled_at: '2026-05-14T07:30:00Z',
  time_zone: 'Europe/Paris',
  status: 'scheduled',
  tags: ['beans'],
  targets: [
    ['a1', 'bluesky', 'scheduled'],
    ['a2', 'mastodon', 'scheduled'],
    ['a3', 'bluesky', 'scheduled'],
  ],
  ...over,
});

describe('toEvent', () => {
  it('maps a post to a timed event with its status, platforms once each and targets', () => {
    const event = toEvent(summary())!;
    expect(event).toMatchObject({
      id: 'p1',
      title: 'Fresh beans today',
      start: '2026-05-14T07:30:00Z',
      allDay: false,
      startEditable: true,
      durationEditable: false,
    });
    expect(event.classNames).toEqual(['sp-event', 'sp-st-scheduled']);
    const props = event.extendedProps as PostEventProps;
    expect(props.platforms).toEqual(['bluesky', 'mastodon']);
    expect(props.targets).toHaveLength(3);
    expect(props.targets[1]).toEqual({ accountId: 'a2', platform: 'mastodon', state: 'scheduled' });
    expect(props.isDraft).toBe(false);
  });

  it('marks a draft with a planned time as planned (drawn dashed)', () => {
    const event = toEvent(summary({ status: 'draft' }))!;
    expect(event.classNames).toContain('sp-planned');
    expect(event.classNames).toContain('sp-st-draft');
    expect((event.extendedProps as PostEventProps).isDraft).toBe(true);
  });

  it('lets published posts be dragged (to offer a copy) but not failed or publishing ones', () => {
    expect(toEvent(summary({ status: 'published' }))!.startEditable).toBe(true);
    expect(toEvent(summary({ status: 'failed' }))!.startEditable).toBe(false);
    expect(toEvent(summary({ status: 'publishing' }))!.startEditable).toBe(false);
  });

  it('titles a post with no text and leaves out posts with no time', () => {
    expect(toEvent(summary({ preview: '  ' }))!.title).toBe('Untitled post');
    expect(toEvent(summary({ scheduled_at: null }))).toBeNull();
    expect(toEvents([summary(), summary({ id: 'p2', scheduled_at: null })]).map((e) => e.id)).toEqual(['p1']);
  });
});

describe('dropAction', () => {
  it('moves drafts and scheduled posts, copies published ones, refuses the rest', () => {
    expect(dropAction('draft')).toBe('reschedule');
    expect(dropAction('scheduled')).toBe('reschedule');
    expect(dropAction('published')).toBe('duplicate');
    expect(dropAction('partial')).toBe('duplicate');
    for (const status of ['publishing', 'failed', 'missed', 'unconfirmed'] as const) expect(dropAction(status)).toBe('none');
  });
});

describe('clickedTime', () => {
  const now = new Date('2026-05-14T12:20:00Z');

  it('keeps the time of a clicked slot', () => {
    expect(clickedTime('2026-05-15T10:30:00+02:00', false, 'Europe/Paris', now).toISOString()).toBe('2026-05-15T08:30:00.000Z');
  });

  it('puts a click on another day at 09:00 in the calendar zone', () => {
    expect(clickedTime('2026-05-20', true, 'Europe/Paris', now).toISOString()).toBe('2026-05-20T07:00:00.000Z');
    expect(clickedTime('2026-05-20', true, 'UTC', now).toISOString()).toBe('2026-05-20T09:00:00.000Z');
  });

  it('puts a click on today, after 09:00, at the next full hour', () => {
    expect(clickedTime('2026-05-14', true, 'UTC', now).toISOString()).toBe('2026-05-14T13:00:00.000Z');
  });
});

describe('postClasses', () => {
  it('colours a post by its status and draws a draft dashed', () => {
    expect(postClasses('published')).toEqual(['sp-event', 'sp-st-published']);
    expect(postClasses('draft')).toEqual(['sp-event', 'sp-st-draft', 'sp-planned']);
  });
});

describe('ianaZone', () => {
  it("names the system's zone for 'local' and keeps a named one", () => {
    expect(ianaZone('local')).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone);
    expect(ianaZone('Asia/Tokyo')).toBe('Asia/Tokyo');
  });
});

describe('firstDay', () => {
  it('maps the week-start setting', () => {
    expect(firstDay('monday')).toBe(1);
    expect(firstDay('sunday')).toBe(0);
    expect(firstDay('saturday')).toBe(6);
    expect(firstDay(undefined)).toBe(1);
  });
});

describe('eventContent', () => {
  const props = toEvent(summary({ status: 'failed' }))!.extendedProps as PostEventProps;
  const names: Record<string, string> = { bluesky: 'Bluesky', mastodon: 'Mastodon' };

  it('shows the time, the text, a badge per platform and the status', () => {
    const node = eventContent(props, 'Fresh beans', '9:30a', 'dayGridMonth', (p) => names[p], (n) => n.slice(0, 2), (s) => s.toUpperCase());
    expect(node.classList).toContain('sp-ev--month');
    expect(node.querySelector('.sp-ev-time')?.textContent).toBe('9:30a');
    expect(node.querySelector('.sp-ev-title')?.textContent).toBe('Fresh beans');
    expect([...node.querySelectorAll('.sp-ev-badge')].map((b) => [b.textContent, (b as HTMLElement).title])).toEqual([
      ['Bl', 'Bluesky'],
      ['Ma', 'Mastodon'],
    ]);
    expect(node.querySelector('.sp-ev-status')?.textContent).toBe('FAILED');
  });

  it('leaves the time to the list view’s own column', () => {
    const node = eventContent(props, 'Fresh beans', '9:30a', 'listWeek', (p) => names[p], (n) => n, (s) => s);
    expect(node.classList).toContain('sp-ev--list');
    expect(node.querySelector('.sp-ev-time')).toBeNull();
  });

  it('describes the event for screen readers', () => {
    expect(eventLabel(props, 'Fresh beans', 'Thu 14 May, 09:30', (p) => names[p], () => 'Failed')).toBe('Failed, Thu 14 May, 09:30: Fresh beans (Bluesky, Mastodon)');
  });

  it('marks the platforms whose server holds the post', () => {
    const held = toEvent(
      summary({
        targets: [
          ['a1', 'bluesky', 'scheduled'],
          ['a2', 'mastodon', 'handed_off'],
        ],
      }),
    )!.extendedProps as PostEventProps;
    const node = eventContent(held, 'Fresh beans', '9:30a', 'dayGridMonth', (p) => names[p], (n) => n.slice(0, 2), (s) => s);
    const badges = [...node.querySelectorAll('.sp-ev-badge')] as HTMLElement[];
    expect(badges.map((b) => [b.title, b.classList.contains('sp-ev-badge--held')])).toEqual([
      ['Bluesky', false],
      ['Mastodon: with the server', true],
    ]);
    expect(eventLabel(held, 'Fresh beans', 'Thu 14 May, 09:30', (p) => names[p], () => 'Scheduled')).toBe(
      'Scheduled, Thu 14 May, 09:30: Fresh beans (Bluesky, Mastodon); with the server on Mastodon',
    );
  });
});
