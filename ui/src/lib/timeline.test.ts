import { afterEach, describe, expect, it, vi } from 'vitest';
import { startMark, startMeasure } from './timeline';

describe('start timeline', () => {
  afterEach(() => {
    vi.restoreAllMocks();
    performance.clearMarks();
    performance.clearMeasures();
  });

  it('records marks and measures during the start', () => {
    vi.spyOn(performance, 'now').mockReturnValue(1_500);
    startMark('app mounted');
    startMeasure('ipc settings', 1_200);
    expect(performance.getEntriesByName('app mounted', 'mark')).toHaveLength(1);
    expect(performance.getEntriesByName('ipc settings', 'measure')).toHaveLength(1);
  });

  it('keeps nothing once the window has been open a while', () => {
    vi.spyOn(performance, 'now').mockReturnValue(60_000);
    startMark('month loaded');
    startMeasure('ipc calendar_days', 59_000);
    expect(performance.getEntriesByName('month loaded')).toHaveLength(0);
    expect(performance.getEntriesByName('ipc calendar_days')).toHaveLength(0);
  });
});
