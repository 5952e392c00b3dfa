// Unit tests of the composer's pure logic: zoned times, the PostInput each button sends, where
// problems show, and settings schemas as form fields.
import { describe, expect, it } from 'vitest';
import type { Account, PlatformRules, PlatformSummary, Post, Saved } from '../lib/types';
import { buildInput, draftFromPost, missingForAction, newDraft, savedMessage, validationInput, type ComposerDraft } from './draft';
import { GENERAL, SHARED, contentProblems, locKey, locateError, locateViolations, mergeLocations, messagesAt } from './locate';
import { displayValue, parseValue, schemaFields } from './schema';
import { accountsInScope, counterSpecs, handleOf } from './view';
import { localParts, zonedInstant } from '../lib/zoned';

const violation = (account_id: string, field: string, message: string) => ({ account_id, field, code: 'x', message, limit: null });

function draft(over: Partial<ComposerDraft> = {}): ComposerDraft {
  return {
    items: [
      { text: 'Hello', media: [{ media_id: 'm1', alt: '  ' }], delay_secs: 30 },
      { text: 'World', media: [{ media_id: 'm2', alt: 'A cat' }], delay_secs: 125.4 },
    ],
    tags: [' #launch', 'launch', '', 'news'],
    targets: [{ account_id: 'a1', custom_items: null, settings: { title: 'T' } }],
    date: '2030-03-10',
    time: '09:30',
    timeZone: 'Europe/Paris',
    ...over,
  };
}

describe('zoned times', () => {
  it('reads an instant on a zone clock and back', () => {
    const instant = new Date('2030-07-01T10:15:00Z');
    expect(localParts(instant, 'Europe/Paris')).toEqual({ date: '2030-07-01', time: '12:15' });
    expect(localParts(instant, 'America/New_York')).toEqual({ date: '2030-07-01', time: '06:15' });
    expect(zonedInstant('2030-07-01', '12:15', 'Europe/Paris')?.toISOString()).toBe('2030-07-01T10:15:00.000Z');
    expect(zonedInstant('2030-01-01', '00:00', 'Asia/Kolkata')?.toISOString()).toBe('2029-12-31T18:30:00.000Z');
  });

  it('moves a time in a daylight-saving gap past the gap', () => {
    // 02:30 does not exist in Paris on 2030-03-31; it is 03:30 CEST, 01:30 UTC.
    expect(zonedInstant('2030-03-31', '02:30', 'Europe/Paris')?.toISOString()).toBe('2030-03-31T01:30:00.000Z');
  });

  it('refuses missing parts', () => {
    expect(zonedInstant('', '10:00', 'UTC')).toBeNull();
    expect(zonedInstant('2030-01-01', '', 'UTC')).toBeNull();
  });
});

describe('building the PostInput', () => {
  it('schedules at a local time in the chosen zone', () => {
    const input = buildInput(draft(), 'schedule');
    expect(input.schedule).toEqual({ kind: 'local', local: '2030-03-10T09:30:00' });
    expect(input.time_zone).toBe('Europe/Paris');
    expect(input.tags).toEqual(['launch', 'news']);
    expect(input.items[0]).toEqual({ text: 'Hello', media: [{ media_id: 'm1' }], delay_secs: 0 });
    expect(input.items[1]).toEqual({ text: 'World', media: [{ media_id: 'm2', alt: 'A cat' }], delay_secs: 125 });
    expect(input.targets).toEqual([{ account_id: 'a1', custom_items: null, settings: { title: 'T' } }]);
  });

  it('saves a draft at the chosen instant, or none', () => {
    expect(buildInput(draft(), 'draft').schedule).toEqual({ kind: 'draft', at: '2030-03-10T08:30:00.000Z' });
    expect(buildInput(draft({ time: '' }), 'draft').schedule).toEqual({ kind: 'draft', at: null });
    expect(buildInput(draft(), 'queue').schedule).toEqual({ kind: 'queue' });
    expect(buildInput(draft(), 'now').schedule).toEqual({ kind: 'now' });
  });

  it('sends custom threads cleaned like the shared one', () => {
    const d = draft({ targets: [{ account_id: 'a1', custom_items: [{ text: 'Mine', media: [], delay_secs: 60 }], settings: {} }] });
    expect(buildInput(d, 'now').targets[0].custom_items).toEqual([{ text: 'Mine', media: [], delay_secs: 0 }]);
  });

  it('checks content without the time', () => {
    const input = validationInput(draft());
    expect(input.schedule).toEqual({ kind: 'draft', at: null });
    expect(input.time_zone).toBeUndefined();
  });

  it('names what is missing before a save', () => {
    expect(missingForAction(draft({ date: '' }), 'schedule')?.field).toBe('date');
    expect(missingForAction(draft({ targets: [] }), 'queue')?.field).toBe('targets');
    expect(missingForAction(draft({ targets: [], date: '' }), 'draft')).toBeNull();
    expect(missingForAction(draft(), 'schedule')).toBeNull();
  });

  it('starts a new post on the calendar slot, in the zone', () => {
    const d = newDraft('America/New_York', new Date('2030-05-02T13:00:00Z'));
    expect([d.date, d.time, d.timeZone]).toEqual(['2030-05-02', '09:00', 'America/New_York']);
    expect(newDraft('UTC').date).toBe('');
  });

  it('edits a post at its time in its own zone', () => {
    const post = {
      id: 'p1',
      items: [{ text: 'Hi', media: [], delay_secs: 0 }],
      tags: ['a'],
      scheduled_at: '2030-05-02T13:00:00Z',
      time_zone: 'Asia/Tokyo',
      is_draft: false,
      status: 'scheduled',
      targets: [{ account_id: 'a1', custom_items: null, settings: { title: 'x' } }],
    } as unknown as Post;
    const d = draftFromPost(post);
    expect([d.date, d.time, d.timeZone]).toEqual(['2030-05-02', '22:00', 'Asia/Tokyo']);
    expect(d.targets).toEqual([{ account_id: 'a1', custom_items: null, settings: { title: 'x' } }]);
  });

  it('tells when a time fell in a daylight-saving gap', () => {
    const saved = {
      post: { scheduled_at: '2030-03-31T01:30:00Z', time_zone: 'Europe/Paris' },
      warnings: [],
      time_shifted: true,
    } as unknown as Saved;
    expect(savedMessage(saved, 'schedule', '02:30')).toContain(
      "02:30 doesn't exist that day in Europe/Paris; it will go out at 03:30.",
    );
  });
});

describe('where problems show', () => {
  const custom = new Set(['a2']);

  it('puts content problems on the thread the account uses and settings on the account', () => {
    const found = locateViolations(
      [
        violation('a1', 'items[1].text', 'Bluesky allows 300 characters; this has 312.'),
        violation('a3', 'items[1].text', 'Bluesky allows 300 characters; this has 312.'),
        violation('a2', 'items[0].media[2]', 'X does not take PDFs.'),
        violation('a1', 'settings.tags[1]', 'Bad tag.'),
        violation('a2', 'items', 'Too many items.'),
      ],
      custom,
    );
    expect(messagesAt(found, SHARED, 'items[1].text')).toEqual(['Bluesky allows 300 characters; this has 312.']);
    expect(messagesAt(found, 'a2', 'items[0].media[2]')).toEqual(['X does not take PDFs.']);
    expect(messagesAt(found, 'a1', 'settings.tags')).toEqual(['Bad tag.']);
    expect(messagesAt(found, 'a2', 'items')).toEqual(['Too many items.']);
    expect(contentProblems(found, 'a2')).toBe(2);
    expect(contentProblems(found, 'a1')).toBe(0);
  });

  it('puts save errors at their field', () => {
    const targets = [{ account_id: 'a1' }, { account_id: 'a2', custom_items: [] }];
    const at = (field: string | null) => locateError({ code: 'invalid_input', message: 'M', field }, targets);
    expect(at('date').get(locKey(GENERAL, 'date'))).toEqual(['M']);
    expect(at('time_zone').get(locKey(GENERAL, 'time_zone'))).toEqual(['M']);
    expect(at('targets[1].custom_items').get(locKey('a2', 'items'))).toEqual(['M']);
    expect(at('targets[0].account_id').get(locKey(GENERAL, 'targets'))).toEqual(['M']);
    expect(at('items').get(locKey(SHARED, 'items'))).toEqual(['M']);
    expect(at(null).get(locKey(GENERAL, ''))).toEqual(['M']);
    const refused = locateError(
      { code: 'validation_failed', message: 'V', field: 'items[0].text', violations: [violation('a2', 'items[0].text', 'Long')] },
      targets,
    );
    expect(messagesAt(refused, 'a2', 'items[0].text')).toEqual(['Long']);
    expect(messagesAt(refused, GENERAL, 'items[0].text')).toEqual([]);
  });

  it('merges without repeating a message', () => {
    const a = locateViolations([violation('a1', 'items', 'Same')], custom);
    expect(messagesAt(mergeLocations(a, a), SHARED, 'items')).toEqual(['Same']);
  });
});

describe('settings schema as a form', () => {
  const schema = {
    type: 'object',
    properties: {
      privacy: { type: 'string', enum: ['public', 'unlisted', 'private'] },
      title: { type: 'string', minLength: 1, maxLength: 100 },
      made_for_kids: { type: 'boolean' },
      tags: { type: 'array', items: { type: 'string' } },
      list_ids: { type: 'array', items: { type: 'integer' } },
      canonical_url: { type: 'string', format: 'uri' },
      event_start: { type: 'string', format: 'date-time' },
      organization_id: { type: 'integer' },
    },
    required: ['title', 'privacy'],
  };
  const fields = schemaFields(schema);
  const field = (key: string) => fields.find((f) => f.key === key)!;

  it('lists required fields first with their kind and limits', () => {
    expect(fields.map((f) => f.key).slice(0, 2)).toEqual(['privacy', 'title']);
    expect(field('privacy')).toMatchObject({ kind: 'enum', required: true, label: 'Privacy' });
    expect(field('privacy').options.map((o) => o.label)).toEqual(['public', 'unlisted', 'private']);
    expect(field('title')).toMatchObject({ kind: 'text', maxLength: 100, required: true });
    expect(field('made_for_kids')).toMatchObject({ kind: 'boolean', label: 'Made for kids', required: false });
    expect(field('canonical_url').kind).toBe('url');
    expect(field('event_start').kind).toBe('datetime');
    expect(field('list_ids')).toMatchObject({ kind: 'list', itemKind: 'integer' });
    expect(schemaFields(null)).toEqual([]);
  });

  it('turns inputs into settings values and back', () => {
    expect(parseValue(field('privacy'), '1', 'UTC')).toBe('unlisted');
    expect(displayValue(field('privacy'), 'unlisted', 'UTC')).toBe('1');
    expect(parseValue(field('privacy'), '', 'UTC')).toBeUndefined();
    expect(parseValue(field('tags'), 'a, b ,, c', 'UTC')).toEqual(['a', 'b', 'c']);
    expect(parseValue(field('list_ids'), '3, 4, x', 'UTC')).toEqual([3, 4, 'x']);
    expect(parseValue(field('organization_id'), '12', 'UTC')).toBe(12);
    expect(parseValue(field('organization_id'), '1.5', 'UTC')).toBe('1.5');
    expect(parseValue(field('made_for_kids'), true, 'UTC')).toBe(true);
    expect(parseValue(field('event_start'), '2030-06-01T10:00', 'Europe/Paris')).toBe('2030-06-01T08:00:00.000Z');
    expect(displayValue(field('event_start'), '2030-06-01T08:00:00.000Z', 'Europe/Paris')).toBe('2030-06-01T10:00');
    expect(displayValue(field('tags'), ['a', 'b'], 'UTC')).toBe('a, b');
  });
});

describe('names and counters', () => {
  const alice = { id: 'a1', platform: 'bluesky', handle: 'alice.bsky.social' } as Account;
  const page = { id: 'a2', platform: 'warpcast', handle: 'Sipstory Coffee Co.' } as Account;
  const accounts = new Map([alice, page].map((a) => [a.id, a]));
  const platforms = new Map<string, PlatformSummary>([
    ['bluesky', { id: 'bluesky', name: 'Bluesky', available: true, connection: null, rules: { counting: 'graphemes' } as PlatformRules }],
    ['warpcast', { id: 'warpcast', name: 'Warpcast', available: true, connection: null, rules: { counting: 'utf8_bytes' } as PlatformRules }],
  ]);

  it('writes handles with an @ unless they are names', () => {
    expect(handleOf(alice)).toBe('@alice.bsky.social');
    expect(handleOf({ ...alice, handle: '@bob@mastodon.social' })).toBe('@bob@mastodon.social');
    expect(handleOf(page)).toBe('Sipstory Coffee Co.');
  });

  it('counts the shared thread for the accounts without their own', () => {
    const targets = [
      { account_id: 'a1', custom_items: null, settings: {} },
      { account_id: 'a2', custom_items: [], settings: {} },
    ];
    expect(accountsInScope(SHARED, targets, accounts).map((a) => a.id)).toEqual(['a1']);
    expect(accountsInScope('a2', targets, accounts).map((a) => a.id)).toEqual(['a2']);
    expect(counterSpecs([alice, page], platforms)).toEqual([
      { key: 'a1', platform: 'bluesky', label: 'Bluesky @alice.bsky.social', unit: 'characters' },
      { key: 'a2', platform: 'warpcast', label: 'Warpcast Sipstory Coffee Co.', unit: 'bytes' },
    ]);
  });
});
