// Runs the user's actions one at a time and keeps the last failure to show inline.
import { toOpsError } from './api';
import type { OpsError } from './types';

export class ActionState {
  busy = $state(false);
  error = $state<OpsError | null>(null);

  /** Runs `fn`; returns its result, or undefined when it failed (the error is kept). */
  async run<T>(fn: () => Promise<T>): Promise<T | undefined> {
    if (this.busy) return undefined;
    this.busy = true;
    this.error = null;
    try {
      return await fn();
    } catch (e) {
      this.error = toOpsError(e);
      return undefined;
    } finally {
      this.busy = false;
    }
  }

  clear() {
    this.error = null;
  }
}
