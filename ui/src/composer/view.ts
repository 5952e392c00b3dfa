// How the composer names and groups things: account labels, the counters an editor shows,
// the accounts a thread applies to, and the platforms behind them.
import type { Account, PlatformSummary } from '../lib/types';
import type { DraftTarget } from './draft';
import { SHARED } from './locate';

/** One live counter under an item: an account and how its platform counts. */
export interface CounterSpec {
  key: string;
  platform: string;
  label: string;
  unit: string;
}

/** "@alice"; a handle that is a name ("Sipstory Coffee Co." for a page) stays as it is. */
export function handleOf(account: Account): string {
  return account.handle.startsWith('@') || /\s/.test(account.handle) ? account.handle : `@${account.handle}`;
}

export function platformName(platforms: ReadonlyMap<string, PlatformSummary>, id: string): string {
  return platforms.get(id)?.name ?? id;
}

/** The accounts whose content the thread of `scope` is: every chosen account without its own
 * thread for the shared one, else that one account. */
export function accountsInScope(scope: string, targets: DraftTarget[], accounts: ReadonlyMap<string, Account>): Account[] {
  const ids = scope === SHARED ? targets.filter((t) => !t.custom_items).map((t) => t.account_id) : [scope];
  return ids.map((id) => accounts.get(id)).filter((a): a is Account => !!a);
}

/** The counters for the accounts of a thread. */
export function counterSpecs(accounts: Account[], platforms: ReadonlyMap<string, PlatformSummary>): CounterSpec[] {
  return accounts.map((a) => ({
    key: a.id,
    platform: a.platform,
    label: `${platformName(platforms, a.platform)} ${handleOf(a)}`,
    unit: platforms.get(a.platform)?.rules?.counting === 'utf8_bytes' ? 'bytes' : 'characters',
  }));
}

/** One tab of the composer's content: the shared thread or a chosen account. */
export interface ContentTab {
  scope: string;
  /** "Shared thread" or "@alice" */
  label: string;
  /** "Bluesky" for an account's tab. */
  detail: string | null;
  custom: boolean;
  problems: number;
}

/** The files the media library takes (the engine's media_library). */
export const MEDIA_EXTENSIONS = ['jpg', 'jpeg', 'png', 'gif', 'webp', 'heic', 'heif', 'avif', 'mp4', 'm4v', 'mov', 'webm'];
