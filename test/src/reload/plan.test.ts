import { describe, expect, it } from 'vitest';
import type { Config } from '../../../src/config/schema.js';
import { isEmptyPlan, planReload } from '../../../src/reload/plan.js';
import { testConfig } from '../../helpers/daemon.js';

/** The test config (file and prometheus enabled) with `edit` applied to a deep copy. */
function edited(edit: (c: Config) => void): Config {
  const config = structuredClone(testConfig('/srv/gax'));
  edit(config);
  return config;
}

const base = testConfig('/srv/gax');

describe('planReload', () => {
  it('plans nothing for the same configuration', () => {
    const plan = planReload(base, structuredClone(base));
    expect(isEmptyPlan(plan)).toBe(true);
    expect(plan).toMatchObject({ needsRestart: [], added: [], removed: [], changed: [], readers: false });
  });

  it.each<[string, (c: Config) => void, string[]]>([
    [
      'state.dir',
      (c) => {
        c.state.dir = '/elsewhere';
      },
      ['state.dir'],
    ],
    [
      'log.format',
      (c) => {
        c.log.format = 'pretty';
      },
      ['log.format'],
    ],
  ])('refuses a change of %s, which needs a restart', (_, edit, needsRestart) => {
    expect(planReload(base, edited(edit)).needsRestart).toEqual(needsRestart);
  });

  it.each<[string, (c: Config) => void, Record<string, unknown>]>([
    [
      'a plugin option restarts that plugin only',
      (c) => {
        c.plugins.file.path = '/srv/gax/out/other.ndjson';
      },
      { changed: ['file'], added: [], removed: [], readers: false, server: false },
    ],
    [
      "a plugin's maxEventAge restarts that plugin only",
      (c) => {
        c.plugins.prometheus.maxEventAge = '5m';
      },
      { changed: ['prometheus'], readers: false },
    ],
    [
      'disabling a plugin removes it',
      (c) => {
        c.plugins.prometheus.enabled = false;
      },
      { removed: ['prometheus'], changed: [], readers: false },
    ],
    [
      'batching restarts every reader',
      (c) => {
        c.pipeline.batchMaxEvents = 10;
      },
      { readers: true, deadLetter: false },
    ],
    [
      'the dead-letter file restarts every reader and replaces the writer',
      (c) => {
        c.pipeline.deadLetter.maxBytes = 1000;
      },
      { readers: true, deadLetter: true },
    ],
    [
      'input paths restart every reader',
      (c) => {
        c.inputs[0]?.paths.push('/var/log/other.log');
      },
      { readers: true },
    ],
    [
      'the shutdown timeout is read at the next stop',
      (c) => {
        c.pipeline.shutdownTimeoutMs = 1;
      },
      { readers: false },
    ],
    [
      'the port restarts the server',
      (c) => {
        c.server.port = 9999;
      },
      { server: true, readers: false },
    ],
    [
      'readiness limits are read at the next probe',
      (c) => {
        c.server.readiness.maxInputLag = '1m';
      },
      { server: false, readers: false },
    ],
    [
      'the log level is applied live',
      (c) => {
        c.log.level = 'debug';
      },
      { needsRestart: [], readers: false },
    ],
  ])('%s', (_, edit, expected) => {
    expect(planReload(base, edited(edit))).toMatchObject(expected);
  });

  it('adds a plugin enabled now and ignores options of a plugin that stays disabled', () => {
    const off = edited((c) => {
      c.plugins.prometheus.enabled = false;
    });
    const on = planReload(off, base);
    expect(on).toMatchObject({ added: ['prometheus'], removed: [], changed: [] });
    const stillOff = edited((c) => {
      c.plugins.prometheus.enabled = false;
      c.plugins.prometheus.maxEventAge = '1h';
    });
    expect(planReload(off, stillOff)).toMatchObject({ added: [], removed: [], changed: [], readers: false });
  });

  it('names what changed for the log', () => {
    const next = edited((c) => {
      c.plugins.file.fsync = 'never';
      c.pipeline.batchMaxEvents = 5;
      c.log.level = 'info';
    });
    expect(planReload(base, next).changes).toEqual(['log.level', 'pipeline.batchMaxEvents', 'plugins.file']);
  });

  it('adds, changes and removes a named instance (file/copy) on its own, leaving the base instance alone', () => {
    const withCopy = edited((c) => {
      Object.assign(c.plugins, { 'file/copy': { ...c.plugins.file, path: '/srv/copy.ndjson' } });
    });
    expect(planReload(base, withCopy)).toMatchObject({
      added: ['file/copy'],
      removed: [],
      changed: [],
      readers: false,
    });
    const moved = structuredClone(withCopy);
    Object.assign(moved.plugins, { 'file/copy': { ...moved.plugins.file, path: '/srv/moved.ndjson' } });
    expect(planReload(withCopy, moved)).toMatchObject({ added: [], removed: [], changed: ['file/copy'] });
    expect(planReload(withCopy, base)).toMatchObject({ added: [], removed: ['file/copy'], changed: [] });
  });
});
