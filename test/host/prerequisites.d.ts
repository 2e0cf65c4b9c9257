// Types for prerequisites.js, so the unit tests can check its decisions.
export type Purpose = 'demo' | 'test';
export interface SystemPackage {
  name: string;
  why: string;
  without?: string;
  needs: Purpose[];
}
export const PACKAGES: SystemPackage[];
export function plan(input: {
  purpose: Purpose;
  missing: string[];
  canInstall: boolean;
  debian: boolean;
  root: boolean;
}): { install: string[]; stop?: string; warnings: string[]; without: string[] };
export function isPresent(name: string, env?: NodeJS.ProcessEnv): boolean;
export function ensurePrerequisites(purpose: Purpose): string[];
