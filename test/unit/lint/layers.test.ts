// The layering rules of eslint.config.mjs refuse an upward lazy import() or require() as they
// refuse a static import (docs/ARCHITECTURE.md, Layers): issue 21 made lazy loading the way
// commands and heavy modules load, and no-restricted-imports alone does not look at those calls.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { ESLint } from 'eslint';

const ROOT = path.resolve(__dirname, '../../..');

/** The messages ESLint gives `code` as if it were the file `file` (relative to the repository). */
async function lint(file: string, code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: ROOT }).lintText(code, { filePath: path.join(ROOT, file) });
  return result.messages.filter((each) => each.ruleId === 'no-restricted-syntax').map((each) => each.message);
}

describe('the layering rules (eslint.config.mjs)', function () {
  this.timeout(60_000);

  it('refuse an upward or sideways lazy import() and require(), and vscode, in each layer', async () => {
    const refused: Array<[string, string]> = [
      ['src/jobs/x.ts', "export const a = () => import('../views/jobsTree');"],
      ['src/jobs/x.ts', "export const a = () => require('../exports/exportStore');"],
      ['src/core/x.ts', "export const a = () => import('../zoho/http');"],
      ['src/core/x.ts', "export const a = () => require('vscode');"],
      ['src/zoho/x.ts', "export const a = () => import('../accounts/accountStore');"],
      ['src/exports/x.ts', "export const a = () => import('../host/settings');"],
      ['src/views/x.ts', "export const a = () => import('../commands/refresh');"],
      ['src/cli/x.ts', "export const a = () => require('../host/settings');"],
      ['src/cli/x.ts', "export const a = () => import('../extension');"],
      ['src/cli/x.ts', "export const a = () => import('vscode');"],
    ];
    for (const [file, code] of refused) {
      const messages = await lint(file, code);
      assert.equal(messages.length, 1, `${file}: ${code} -> ${messages.join('; ')}`);
    }
  });

  it('let a layer load itself and the layers below it lazily', async () => {
    const allowed: Array<[string, string]> = [
      ['src/jobs/x.ts', "export const a = () => require('../results/fetchResult');"],
      ['src/exports/x.ts', "export const a = () => import('../jobs/jobStore');"],
      ['src/exports/x.ts', "export const a = () => require('./snapshot');"],
      ['src/zoho/x.ts', "export const a = () => import('axios');"],
      ['src/views/x.ts', "export const a = () => import('../host/settings');"],
      ['src/commands/x.ts', "export const a = () => import('./refresh.js');"],
    ];
    for (const [file, code] of allowed) {
      assert.deepEqual(await lint(file, code), [], `${file}: ${code}`);
    }
  });
});
