// Test setup: jest-dom matchers, what jsdom lacks, and a clean Tauri mock after each test.
import '@testing-library/jest-dom/vitest';
import { clearMocks, mockConvertFileSrc } from '@tauri-apps/api/mocks';
import { afterEach, beforeEach } from 'vitest';

globalThis.ResizeObserver ??= class {
  observe() {}
  unobserve() {}
  disconnect() {}
};

beforeEach(() => mockConvertFileSrc('linux'));
afterEach(() => clearMocks());
