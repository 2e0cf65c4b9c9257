// Public API of the Zoho client core.
export * from './api';
export * from './auth';
export * from './client';
export * from './dataCentres';
export * from './errorMapping';
export * from './errors';
export { createHttp, DEFAULT_TIMEOUT_MS } from './http';
export * from './paths';
export * from './redact';
export * from './status';
export * from './types';
