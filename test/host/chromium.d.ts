// Types for chromium.js, so the TypeScript e2e helpers share its launch flags.
import type { Browser, BrowserContext } from 'playwright-core';

export const CHROMIUM_ARGS: string[];
export function launchBrowser(): Promise<Browser>;
export function launchPersistent(
  profileDir: string,
  options?: Record<string, unknown>,
): Promise<BrowserContext>;
