// validateInput functions for the job prompts. Each returns undefined when the text is fine, or a
// message saying what is expected. No editor API, so they are plain to test.
import { MAX_MAX_RECORDS, MAX_RECORDS_STEP, MIN_MAX_RECORDS } from '../zoho/createBody';
import { isValidJobId, isValidLinkName } from '../zoho/paths';

export { MAX_MAX_RECORDS, MIN_MAX_RECORDS };

export function validateLinkName(what: string): (value: string) => string | undefined {
  return (value) => {
    const text = value.trim();
    if (text === '') {
      return `Enter the ${what}.`;
    }
    return isValidLinkName(text)
      ? undefined
      : `A ${what} uses letters, digits, "_", "." and "-" only (e.g. All_Orders), not "${text}".`;
  };
}

/** The first problem with the link names automation passes, in the words the input boxes use. */
export function validateReportOptions(options: {
  owner?: string;
  app: string;
  report: string;
}): string | undefined {
  return (
    (options.owner !== undefined ? validateLinkName('owner name')(options.owner) : undefined) ??
    validateLinkName('application link name')(options.app) ??
    validateLinkName('report link name')(options.report)
  );
}

/** `app` or `owner/app` (the owner part for apps shared from another workspace). */
export function validateAppInput(value: string): string | undefined {
  const parts = value.trim().split('/');
  if (parts.length > 2) {
    return 'Enter the application link name, or owner/application for an app of another workspace.';
  }
  for (const part of parts) {
    const problem = validateLinkName(
      parts.length === 2 ? 'owner or application link name' : 'application link name',
    )(part);
    if (problem) {
      return problem;
    }
  }
  return undefined;
}

export function validateJobId(value: string): string | undefined {
  const text = value.trim();
  if (text === '') {
    return 'Enter the job id, e.g. 2000000018003.';
  }
  return isValidJobId(text) ? undefined : 'A bulk read job id is digits only, e.g. 2000000018003.';
}

/** Empty means "server default" (100,000). */
export function validateMaxRecords(value: string): string | undefined {
  const text = value.trim().replace(/[,_\s]/g, '');
  if (text === '') {
    return undefined;
  }
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < MIN_MAX_RECORDS || n > MAX_MAX_RECORDS || n % MAX_RECORDS_STEP !== 0) {
    return 'Enter a whole number from 100000 to 200000 in steps of 1000 (e.g. 150000).';
  }
  return undefined;
}

export function parseMaxRecords(value: string): number | undefined {
  const text = value.trim().replace(/[,_\s]/g, '');
  return text === '' ? undefined : Number(text);
}

export function parseFieldList(value: string): string[] {
  return value
    .split(',')
    .map((field) => field.trim())
    .filter((field) => field !== '');
}

/** Empty means "the report's visible columns". */
export function validateFieldList(value: string): string | undefined {
  for (const field of parseFieldList(value)) {
    if (!isValidLinkName(field)) {
      return `"${field}" is not a field link name: use letters, digits, "_" and "." (sub-fields as Field.sub), separated by commas.`;
    }
  }
  return undefined;
}

/**
 * Criteria are checked by the server, whose Deluge grammar is wider than anything we could copy
 * (docs/zoho-bulk-read-api.md, "Creating a job"): locally only what is certainly wrong, an unclosed "string" (a \" inside
 * one does not close it) or unbalanced parentheses outside strings.
 */
export function validateCriteria(value: string): string | undefined {
  let depth = 0;
  let stringStart = -1;
  for (let i = 0; i < value.length; i++) {
    const char = value[i];
    if (stringStart >= 0) {
      if (char === '\\') {
        i++; // an escaped character, \" included
      } else if (char === '"') {
        stringStart = -1;
      }
    } else if (char === '"') {
      stringStart = i;
    } else if (char === '(') {
      depth++;
    } else if (char === ')' && --depth < 0) {
      return `Criteria has a ")" with no matching "(" (character ${i + 1}).`;
    }
  }
  if (stringStart >= 0) {
    return `Criteria has an unclosed double quote (character ${stringStart + 1}), e.g. Status == "Open".`;
  }
  return depth === 0 ? undefined : 'Criteria has a "(" that is never closed.';
}
