// Connecting through the browser (OAuth) against faked shell commands: the instance field, the
// system browser opened on the authorize URL, the waiting state with Cancel, the account
// appearing, errors next to the instance field, and the redirect URI of bring-your-own apps.
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { account, settings } from '../composer/fixtures';
import type { PlatformSummary } from '../lib/types';
import AccountsView from './AccountsView.svelte';
import { type Call, type Handler, fakeShell } from '../lib/fake-shell';

const MASTODON: PlatformSummary = {
  id: 'mastodon',
  name: 'Mastodon',
  available: true,
  connection: {
    method: 'o_auth2_pkce',
    fields: [{ key: 'instance', label: 'Server', secret: false, required: true, placeholder: 'mastodon.social', help: 'The address of your Mastodon server.' }],
  },
  rules: null,
  redirect_uri: 'http://127.0.0.1/callback',
};

const BYO: PlatformSummary = {
  id: 'pinterest',
  name: 'Pinterest',
  available: true,
  connection: {
    method: 'byo_o_auth2',
    fields: [
      { key: 'client_id', label: 'Client ID', secret: false, required: true, placeholder: null, help: null },
      { key: 'client_secret', label: 'Client secret', secret: true, required: true, placeholder: null, help: null },
    ],
  },
  rules: null,
  redirect_uri: 'http://127.0.0.1:8765/callback',
};

const START = { flow_id: 'flow-1', authorize_url: 'https://example.social/oauth/authorize?state=s', redirect_uri: 'http://127.0.0.1:40123/callback' };

let calls: Call[];
let connected = false;

function fake(overrides: Record<string, Handler> = {}) {
  connected = false;
  const handlers: Record<string, Handler> = {
    accounts: () => (connected ? [account({ id: 'acc-m', platform: 'mastodon', handle: '@ada@example.social', display_name: 'Ada' })] : []),
    platforms: () => [MASTODON, BYO],
    settings: () => settings({ time_zone: 'UTC' }),
    begin_oauth: () => START,
    'plugin:opener|open_url': () => null,
    ...overrides,
  };
  calls = fakeShell(handlers);
}

/** A promise the test settles by hand. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

async function startMastodon(server = 'example.social') {
  render(AccountsView);
  await fireEvent.click(await screen.findByRole('button', { name: 'Connect Mastodon' }));
  const form = screen.getByRole('form', { name: 'Connect Mastodon' });
  const instance = within(form).getByLabelText(/Server/);
  await fireEvent.input(instance, { target: { value: server } });
  await fireEvent.click(within(form).getByRole('button', { name: 'Continue in browser' }));
  return { form, instance };
}

afterEach(() => cleanup());

describe('Connecting through the browser', () => {
  it('opens the system browser, waits, and the account appears', async () => {
    const finish = deferred<unknown>();
    fake({ finish_oauth: () => finish.promise });
    const { form } = await startMastodon();
    expect(await within(form).findByRole('status')).toHaveTextContent('Waiting for you to allow Sipstory in your browser');
    expect(calls.find((c) => c.cmd === 'begin_oauth')!.args).toEqual({ platform: 'mastodon', fields: { instance: 'example.social' } });
    await waitFor(() => expect(calls.find((c) => c.cmd === 'plugin:opener|open_url')?.args.url).toBe(START.authorize_url));
    expect(calls.find((c) => c.cmd === 'finish_oauth')!.args).toEqual({ flowId: 'flow-1' });

    connected = true;
    finish.resolve(account({ id: 'acc-m', platform: 'mastodon', handle: '@ada@example.social', display_name: 'Ada' }));
    await waitFor(() => expect(screen.queryByRole('form', { name: 'Connect Mastodon' })).toBeNull());
    expect(await screen.findByText('Ada')).toBeInTheDocument();
  });

  it('cancels a waiting sign-in without showing an error', async () => {
    const finish = deferred<unknown>();
    fake({
      finish_oauth: () => finish.promise,
      cancel_oauth: () => {
        finish.reject({ code: 'conflict', message: 'The sign-in was cancelled.', field: null });
        return null;
      },
    });
    const { form, instance } = await startMastodon();
    await within(form).findByRole('status');
    expect(instance).toBeDisabled();
    await fireEvent.click(within(form).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(within(form).queryByRole('status')).toBeNull());
    expect(calls.find((c) => c.cmd === 'cancel_oauth')!.args).toEqual({ flowId: 'flow-1' });
    expect(within(form).queryByRole('alert')).toBeNull();
    expect(instance).not.toHaveAttribute('aria-invalid');
    expect(within(form).getByRole('button', { name: 'Continue in browser' })).toBeEnabled();
  });

  it('shows a server that is not Mastodon next to the instance field', async () => {
    const message = 'example.org does not answer like a Mastodon server.';
    fake({ begin_oauth: () => Promise.reject({ code: 'platform_error', message, field: 'fields.instance' }) });
    const { instance } = await startMastodon('example.org');
    await waitFor(() => expect(instance).toHaveAttribute('aria-invalid', 'true'));
    expect(instance).toHaveAccessibleDescription(`${message} The address of your Mastodon server.`);
    expect(calls.some((c) => c.cmd === 'plugin:opener|open_url')).toBe(false);
  });

  it('shows access denied in the browser next to the instance field', async () => {
    const message = 'Access was denied. (The resource owner denied the request.)';
    fake({ finish_oauth: () => Promise.reject({ code: 'platform_error', message, field: 'fields.instance' }) });
    const { instance } = await startMastodon();
    await waitFor(() => expect(instance).toHaveAttribute('aria-invalid', 'true'));
    expect(instance).toHaveAccessibleDescription(`${message} The address of your Mastodon server.`);
  });

  it('cancels the sign-in when the browser cannot be opened', async () => {
    fake({
      'plugin:opener|open_url': () => Promise.reject('no browser installed'),
      cancel_oauth: () => null,
    });
    const { form } = await startMastodon();
    expect(await within(form).findByRole('alert')).toHaveTextContent('Sipstory could not open your browser: no browser installed');
    expect(calls.find((c) => c.cmd === 'cancel_oauth')!.args).toEqual({ flowId: 'flow-1' });
    expect(calls.some((c) => c.cmd === 'finish_oauth')).toBe(false);
  });

  it('shows bring-your-own-app platforms the redirect URI to register', async () => {
    fake();
    render(AccountsView);
    await fireEvent.click(await screen.findByRole('button', { name: 'Connect Pinterest' }));
    const form = screen.getByRole('form', { name: 'Connect Pinterest' });
    expect(form).toHaveTextContent('register this redirect URI: http://127.0.0.1:8765/callback');
    expect(within(form).getByLabelText(/Client secret/)).toHaveAttribute('type', 'password');
    expect(within(form).getByRole('button', { name: 'Continue in browser' })).toBeInTheDocument();
  });
});
