import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { needsAttention, statusColor, statusHint, statusLabel } from './status';
import type { PostStatus, TargetState } from './types';

const POST_STATUSES: PostStatus[] = ['draft', 'scheduled', 'publishing', 'published', 'partial', 'failed', 'missed', 'unconfirmed'];
const TARGET_STATES: TargetState[] = ['draft', 'scheduled', 'publishing', 'unconfirmed', 'published', 'failed', 'missed'];

describe('status', () => {
  it('gives every post status and target state a label, a hint and its own colour variable', () => {
    for (const status of [...POST_STATUSES, ...TARGET_STATES]) {
      expect(statusLabel(status)).toMatch(/^[A-Z]/);
      expect(statusHint(status).length).toBeGreaterThan(0);
      expect(statusColor(status)).toBe(`var(--st-${status})`);
    }
  });

  it('names the statuses as the user reads them', () => {
    expect(statusLabel('partial')).toBe('Partly published');
    expect(statusLabel('scheduled')).toBe('Scheduled');
    expect(statusLabel('unconfirmed')).toBe('Unconfirmed');
  });

  it('flags the statuses that need the user', () => {
    expect(POST_STATUSES.filter(needsAttention)).toEqual(['partial', 'failed', 'missed', 'unconfirmed']);
  });

  it('has a colour in app.css for each status, light and dark', () => {
    const css = readFileSync(resolve(process.cwd(), 'src/app.css'), 'utf8');
    for (const status of POST_STATUSES) {
      expect(css.match(new RegExp(`--st-${status}:`, 'g'))?.length).toBe(2);
    }
  });
});
