// Test setup: jest-dom matchers and a clean Tauri mock after each test.
import '@testing-library/jest-dom/vitest';
import { afterEach } from 'vitest';
import { clearMocks } from '@tauri-apps/api/mocks';

afterEach(() => clearMocks());
