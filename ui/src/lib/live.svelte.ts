// What the whole window keeps current: a counter bumped when the engine's data changed (views
// reload on it), the app settings and the number of missed posts.
import { api } from './api';
import type { AppSettings } from './types';

class Live {
  /** Bumped (debounced) on every `sipstory://changed`; views read it to reload. */
  changes = $state(0);
  settings = $state<AppSettings | null>(null);
  missedCount = $state(0);
  #timer: ReturnType<typeof setTimeout> | null = null;

  /** Coalesces bursts of change events into one reload, `delayMs` after the last. */
  changed(delayMs = 150) {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = null;
      this.changes += 1;
    }, delayMs);
  }

  async loadSettings() {
    this.settings = await api.settings();
  }

  async loadMissedCount() {
    this.missedCount = (await api.missedPosts()).length;
  }
}

export const live = new Live();
