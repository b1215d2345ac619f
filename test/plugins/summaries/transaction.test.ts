import { describe, expect, it } from 'vitest';
import { classifyPgError } from '../../../plugins/summaries/classify.js';
import { alreadyApplied, firstSeen } from '../../../plugins/summaries/transaction.js';
import type { CanonicalEvent } from '../../../src/schema/event.js';

const row = (offset: number, hash: string | null = 'h1') => ({
  source: '1:2',
  offset: String(offset),
  path: '/logs/a.log',
  fingerprintLength: 1024,
  fingerprintHash: hash,
});
const at = (offset: number, hash = 'h1') =>
  new Map([['1:2', { offset, fingerprint: { length: 1024, hash } }]]);

describe('summaries transaction', () => {
  it('takes a batch for applied when its end is stored, in the same file', () => {
    expect(alreadyApplied([row(500)], at(500))).toBe(true); // the resend of a batch whose COMMIT answer was lost
    expect(alreadyApplied([row(900)], at(500))).toBe(true); // behind what is stored
    expect(alreadyApplied([row(400)], at(500))).toBe(false);
    expect(alreadyApplied([], at(500))).toBe(false);
    expect(alreadyApplied([row(900, 'h0')], at(500))).toBe(false); // the inode holds another file now
    expect(alreadyApplied([row(900)], new Map())).toBe(false);
  });

  it('counts each event key once: the first time in the batch, and only keys new to the window', () => {
    const e = (id: string) => ({ eventType: 'response', correlationId: id }) as CanonicalEvent;
    const batch = [e('a'), e('b'), e('a'), e('c')];
    expect(firstSeen(batch, new Set(['response:a', 'response:c']))).toEqual({
      events: [e('a'), e('c')],
      duplicates: 2,
    });
    expect(firstSeen(batch, undefined)).toEqual({ events: batch, duplicates: 0 });
  });

  it('retries what may pass, dead-letters data errors and fails start-up only where waiting cannot help', () => {
    const pgError = (code: string) => Object.assign(new Error('x'), { code });
    expect(classifyPgError(pgError('40P01')).result.status).toBe('retryable');
    expect(classifyPgError(pgError('57P03')).fatal).toBe(false);
    expect(classifyPgError(pgError('ECONNREFUSED')).result).toEqual({
      status: 'retryable',
      reason: 'PostgreSQL ECONNREFUSED: x (nothing listens at postgres.url)',
    });
    expect(classifyPgError(pgError('22001')).result.status).toBe('rejected');
    expect(classifyPgError(pgError('23502')).result.status).toBe('rejected');
    expect(classifyPgError(pgError('28P01')).fatal).toBe(true);
    expect(classifyPgError(pgError('42P01')).missingTable).toBe(true);
    expect(classifyPgError(new Error('no code')).errorType).toBe('error');
  });
});
