// Test helper: fakes the desktop shell's commands with one handler each, records every call,
// and rejects an unexpected command the way the shell rejects (an OpsError).
import type { InvokeArgs } from '@tauri-apps/api/core';
import { mockIPC } from '@tauri-apps/api/mocks';

export type Handler = (args: Record<string, unknown>) => unknown;
export type Call = { cmd: string; args: Record<string, unknown> };

/** Installs `handlers` as the shell; returns the list the calls are recorded in. */
export function fakeShell(handlers: Record<string, Handler>): Call[] {
  const calls: Call[] = [];
  mockIPC((cmd: string, args?: InvokeArgs) => {
    const a = (args ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args: a });
    const handler = handlers[cmd];
    if (!handler) throw { code: 'internal', message: `unexpected command ${cmd}`, field: null };
    return handler(a);
  });
  return calls;
}
