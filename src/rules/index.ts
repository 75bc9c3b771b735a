import httpBackend from './apim/http-backend.js';
import type { Rule } from './rule.js';

/** Every native rule, in the order they are listed. */
export const NATIVE_RULES: readonly Rule[] = [httpBackend];
