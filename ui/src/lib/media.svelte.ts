// The media library, looked up once and again only when a post refers to a file not seen yet.
import { convertFileSrc } from '@tauri-apps/api/core';
import { api } from './api';
import type { Media } from './types';

class MediaIndex {
  byId = $state<Record<string, Media>>({});
  #loading: Promise<void> | null = null;
  #loaded = false;

  /** Makes sure every id in `ids` is known (loading the library when one is missing). */
  async ensure(ids: string[]) {
    if (this.#loaded && ids.every((id) => id in this.byId)) return;
    this.#loading ??= api.mediaList().then(
      (list) => {
        this.byId = Object.fromEntries(list.map((m) => [m.id, m]));
        this.#loaded = true;
        this.#loading = null;
      },
      (e) => {
        this.#loading = null;
        throw e;
      },
    );
    await this.#loading;
  }
}

/** The URL the window loads a media file from. */
export function mediaSrc(media: Media): string {
  return convertFileSrc(media.path);
}

export const mediaIndex = new MediaIndex();
