// Platform and account names for badges and labels, loaded once and shared by every view.
import { api } from './api';
import type { Account } from './types';

class Directory {
  /** Platform id → display name. */
  names = $state<Record<string, string>>({});
  /** Account id → account. */
  accounts = $state<Record<string, Account>>({});
  /** The platform names' one load, shared by every caller that comes while it runs. */
  #names: Promise<void> | null = null;

  /** Loads the platform names once, and the accounts every time (they change). */
  async load() {
    const [, accounts] = await Promise.all([this.loadNames(), api.accounts()]);
    this.accounts = Object.fromEntries(accounts.map((a) => [a.id, a]));
  }

  /** Loads the platform names, once: all the calendar's badges need. */
  loadNames(): Promise<void> {
    this.#names ??= api.platforms().then(
      (platforms) => {
        this.names = Object.fromEntries(platforms.map((p) => [p.id, p.name]));
      },
      (e) => {
        this.#names = null;
        throw e;
      },
    );
    return this.#names;
  }

  platformName(id: string): string {
    return this.names[id] ?? fallbackName(id);
  }
}

function fallbackName(id: string): string {
  return id
    .split(/[-_]/)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join(' ');
}

/** A badge's short text: "X", "Bl", "LP" (LinkedIn Page). */
export function platformInitials(name: string): string {
  const words = name.split(/[\s.]+/).filter(Boolean);
  if (words.length > 1) return words.map((w) => w[0]).join('').slice(0, 2).toUpperCase();
  const word = words[0] ?? '?';
  return word.length <= 2 ? word : word[0].toUpperCase() + word[1].toLowerCase();
}

export const directory = new Directory();
