import { expect, it } from 'vitest';
import { UnreadFiles } from '../../../src/sources/unread-files.js';

it('a joiner that never read a released file is named when the shared reader resumes it past its start', () => {
  const unread = new UnreadFiles<string>([]);
  unread.released('b');
  unread.join('slow', (id) => id === 'a'); // read a, never b
  unread.join('peer', () => true); // read both
  expect(unread.tracked('b', 120)).toEqual(['slow']);
  expect(unread.tracked('b', 120)).toEqual([]); // once
});

it('a saved file not found yet counts as resumable; starting it at 0 skips nothing', () => {
  const unread = new UnreadFiles<string>(['saved']);
  unread.join('slow', () => false);
  expect(unread.tracked('saved', 0)).toEqual([]);
  unread.released('saved'); // seen once, so no longer unread for slow
  expect(unread.tracked('saved', 50)).toEqual([]);
});

it('a file tracked before the join, or a joiner forgotten, names nobody', () => {
  const unread = new UnreadFiles<string>(['x']);
  expect(unread.tracked('x', 10)).toEqual([]);
  unread.join('slow', () => false);
  expect(unread.tracked('x', 10)).toEqual([]);
  unread.released('y');
  unread.join('gone', () => false);
  unread.forget('gone');
  expect(unread.tracked('y', 10)).toEqual([]);
});
