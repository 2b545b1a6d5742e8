import { describe, expect, test } from 'vitest';
import { bfs } from '../explorer/bfs.ts';
import { defineModel } from '../explorer/define.ts';
import { model, reachableViaStep } from './setway-support.ts';

describe('the setway fast successor path agrees with step on every reachable state', () => {
  const configs = [
    'ref-a',
    'ref-c',
    'ref-d',
    'ref-f',
    { pcpus: 2, vcpus: 2, lines: 2, sets: 1, ways: 2, neighborLines: 1 },
    { pcpus: 2, vcpus: 2, lines: 2, systemCache: true, hypSpeculation: true, program: 'boot' as const },
  ];
  test.each(configs.map((c) => [typeof c === 'string' ? c : JSON.stringify(c), c] as const))('%s', (_n, cfg) => {
    for (const policy of ['native', 'trap-va'] as const) {
      const m = model(cfg, policy);
      const dst = new Uint32Array(m.words);
      const t = new Uint32Array(m.words);
      for (const s of reachableViaStep(m)) {
        const fast: string[] = [];
        m.forEachSuccessor!(s, dst, (i) => fast.push(`${i}:${dst.join(',')}`));
        const slow: string[] = [];
        for (let i = 0; i < m.actionCount; i++) if (m.step(s, i, t)) slow.push(`${i}:${t.join(',')}`);
        expect(fast).toEqual(slow);
      }
    }
  });

  test.each(configs.map((c) => [typeof c === 'string' ? c : JSON.stringify(c), c] as const))(
    'compiled flushVM equals the interpreted one on every reachable state of %s',
    (_n, cfg) => {
      const m = model(cfg, 'native');
      let flushedSomething = 0;
      for (const s of reachableViaStep(m)) {
        const fast = s.slice();
        const slow = s.slice();
        m.hw.flushVM(fast);
        m.hw.flushVMReference(slow);
        expect([...fast]).toEqual([...slow]);
        if (fast.some((w, k) => w !== s[k])) flushedSomething++;
      }
      expect(flushedSomething).toBeGreaterThan(0);
    },
  );

  test('models without the fast path are searched through step', () => {
    const m = defineModel({
      name: 'one',
      fields: { x: 3 },
      initial: { x: 0 },
      actions: [{ actor: 'x', text: 'inc', enabled: (s) => s.x < 3, next: (s) => ({ x: s.x + 1 }) }],
    });
    expect(bfs(m).distinctStates).toBe(4);
  });
});
