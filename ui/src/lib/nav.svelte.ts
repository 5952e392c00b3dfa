// Where the window is: the current view, the open post and the composer. Shared by every view.

export type View = 'calendar' | 'queue' | 'drafts' | 'missed' | 'failed' | 'accounts' | 'activity' | 'settings';

export interface ComposerRequest {
  /** Edit this post; a new post when absent. */
  postId?: string;
  /** Prefill the date (a click on an empty calendar slot). */
  date?: Date;
}

class Nav {
  view = $state<View>('calendar');
  /** The post whose detail panel is open. */
  postId = $state<string | null>(null);
  composer = $state<ComposerRequest | null>(null);

  go(view: View) {
    this.view = view;
    this.postId = null;
  }
  openPost(id: string) {
    this.postId = id;
  }
  closePost() {
    this.postId = null;
  }
  openComposer(request: ComposerRequest = {}) {
    this.composer = request;
  }
  closeComposer() {
    this.composer = null;
  }
}

export const nav = new Nav();
