// Short-lived messages in the corner of the window: engine notifications and action results.
import type { View } from './nav.svelte';

export type ToastKind = 'info' | 'success' | 'error';
export interface Toast {
  id: number;
  kind: ToastKind;
  title: string;
  body?: string;
  /** The post a click opens. */
  postId?: string | null;
  /** The view a click opens, for a toast about no post in particular. */
  view?: View;
}

const LIFETIME_MS: Record<ToastKind, number> = { info: 6000, success: 5000, error: 9000 };

class Toasts {
  items = $state<Toast[]>([]);
  #next = 1;

  push(toast: Omit<Toast, 'id'>): number {
    const id = this.#next++;
    this.items = [...this.items.slice(-4), { ...toast, id }];
    setTimeout(() => this.dismiss(id), LIFETIME_MS[toast.kind]);
    return id;
  }

  error(title: string, body?: string) {
    return this.push({ kind: 'error', title, body });
  }

  success(title: string, body?: string, postId?: string) {
    return this.push({ kind: 'success', title, body, postId });
  }

  dismiss(id: number) {
    this.items = this.items.filter((t) => t.id !== id);
  }
}

export const toasts = new Toasts();
