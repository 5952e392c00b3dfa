import { mockIPC } from '@tauri-apps/api/mocks';
import { fireEvent, render, screen } from '@testing-library/svelte';
import { describe, expect, it } from 'vitest';
import { createBackend, demoData } from '../lib/demo';
import { nav } from '../lib/nav.svelte';
import ListView from './ListView.svelte';

describe('ListView', () => {
  it('explains an empty list and offers a new post', async () => {
    mockIPC((cmd, args) => createBackend({ ...demoData(), posts: [] })(cmd, args as Record<string, unknown>));
    render(ListView, { kind: 'drafts' });
    expect(await screen.findByText('No drafts')).toBeInTheDocument();
    expect(screen.getByText(/Save a post as a draft/)).toBeInTheDocument();
    await fireEvent.click(screen.getByRole('button', { name: 'New post' }));
    expect(nav.composer).toEqual({});
    nav.closeComposer();
  });

  it('lists the queue soonest first and opens a post on click', async () => {
    mockIPC((cmd, args) => createBackend(demoData())(cmd, args as Record<string, unknown>));
    render(ListView, { kind: 'queue' });
    const rows = await screen.findAllByRole('button', { name: /Scheduled|Unconfirmed/ });
    expect(rows[0]).toHaveTextContent('We are hiring a weekend barista');
    await fireEvent.click(rows[1]);
    expect(nav.postId).toBe('post-thread');
    nav.closePost();
  });

  it('puts Publish now, Reschedule and Discard on missed posts', async () => {
    const data = demoData();
    const calls: string[] = [];
    mockIPC((cmd, args) => {
      calls.push(cmd);
      return createBackend(data)(cmd, args as Record<string, unknown>);
    });
    render(ListView, { kind: 'missed' });
    await fireEvent.click(await screen.findByRole('button', { name: 'Publish now' }));
    expect(calls).toContain('publish_missed_now');
    expect(screen.getByRole('button', { name: 'Reschedule…' })).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Discard to drafts' })).toBeInTheDocument();
  });
});
