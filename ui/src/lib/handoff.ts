// Server-side scheduling as the window tells it: whether an account of a post is held by its
// server (Mastodon's scheduled posts), about to be given to it, or published by Sipstory itself
// because its time was too close to give it to the server.
import type { Account, Target } from './types';

/** The per-post setting by which an account asks its server to hold the post. */
export const SCHEDULE_ON_SERVER = 'schedule_on_server';

/** How far ahead a post must be to be given to the server (its 5 minutes plus Sipstory's
 * margin for a slow request). */
const LEAD_MS = 6 * 60 * 1000;

/** The server an account lives on (`mastodon.social`), or its platform's name. */
export function serverOf(account: Account | undefined, fallback: string): string {
  const instance = account?.settings?.instance;
  if (typeof instance !== 'string' || !instance) return fallback;
  try {
    return new URL(instance).host;
  } catch {
    return instance;
  }
}

/** One sentence on where a target's post waits, or null when it is not asked to be held. */
export function handOffNote(target: Target, scheduledAt: string | null, server: string, now: Date): string | null {
  if (target.state === 'handed_off') {
    return `Held by ${server}: it goes out at its time even while this computer sleeps.`;
  }
  if (target.settings?.[SCHEDULE_ON_SERVER] !== true || target.state !== 'scheduled' || !scheduledAt) return null;
  if (new Date(scheduledAt).getTime() - now.getTime() < LEAD_MS) {
    return `Too close to its time to give to ${server}: Sipstory publishes it itself, so keep this computer awake.`;
  }
  return `Being given to ${server} to hold…`;
}
