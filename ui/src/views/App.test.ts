import { emit } from '@tauri-apps/api/event';
import { mockIPC } from '@tauri-apps/api/mocks';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import App from '../App.svelte';
import { EVENTS } from '../lib/api';
import { createBackend, demoData } from '../lib/demo';
import { nav } from '../lib/nav.svelte';

function demo(over: Partial<ReturnType<typeof demoData>> = {}) {
  const handle = createBackend({ ...demoData(), ...over });
  mockIPC((cmd, args) => handle(cmd, args as Record<string, unknown>), { shouldMockEvents: true });
}

afterEach(() => {
  vi.restoreAllMocks();
  nav.go('calendar');
  nav.closeComposer();
});

describe('App', () => {
  it('says so when the machine is offline', async () => {
    vi.spyOn(navigator, 'onLine', 'get').mockReturnValue(false);
    demo();
    nav.go('drafts');
    render(App);
    expect(await screen.findByText('Offline — drafting and scheduling still work')).toBeInTheDocument();
  });

  it('hides the offline note while online and shows it when the connection drops', async () => {
    demo();
    nav.go('drafts');
    render(App);
    expect(screen.queryByText(/Offline/)).not.toBeInTheDocument();
    window.dispatchEvent(new Event('offline'));
    expect(await screen.findByText(/Offline/)).toBeInTheDocument();
  });

  it('counts missed posts in the sidebar and shows the paused banner with Resume', async () => {
    const data = demoData();
    data.settings.publishing_paused = true;
    demo(data);
    nav.go('queue');
    render(App);
    expect(await screen.findByLabelText('1 missed')).toBeInTheDocument();
    const banner = await screen.findByRole('region', { name: 'Publishing paused' });
    expect(banner).toHaveTextContent('Posts a server was holding to publish itself are taken back from it');
    await fireEvent.click(await screen.findByRole('button', { name: 'Resume publishing' }));
    await vi.waitFor(() => expect(screen.queryByText(/Publishing is paused/)).not.toBeInTheDocument());
  });

  it('goes to views with g shortcuts and opens the composer with n', async () => {
    demo();
    nav.go('drafts');
    render(App);
    await fireEvent.keyDown(window, { key: 'g' });
    await fireEvent.keyDown(window, { key: 'q' });
    expect(nav.view).toBe('queue');
    await fireEvent.keyDown(window, { key: 'n' });
    expect(nav.composer).toEqual({});
  });

  it('shows an engine notification as a toast that opens its post', async () => {
    demo();
    nav.go('drafts');
    render(App);
    await vi.waitFor(() => expect(screen.getByRole('heading', { name: 'Drafts' })).toBeInTheDocument());
    await emit(EVENTS.notification, { kind: 'failed', title: 'LinkedIn refused a post', body: 'The image could not be processed.', post_id: 'post-workshop', account_id: 'acc-li', link: null });
    await fireEvent.click(await screen.findByRole('button', { name: /LinkedIn refused a post/ }));
    expect(nav.postId).toBe('post-workshop');
  });
});
