/**
 * Compiled hardware successors for the set/way model.
 *
 * The hardware actions (evict, sysEvict, specFill, sysFill, lineMove) are
 * most of the transitions. For a given configuration their enabledness and
 * effects are generated once as straight-line JavaScript: the state's words
 * live in local variables, each field is a shift and a mask with constant
 * operands, and there are no calls but `visit`. The generated code follows
 * hardware.ts line by line; test/successors.test.ts checks it against `step`
 * on every reachable state of several configurations.
 */
import type { SetwayState } from './state.ts';

export type HardwareSuccessors = (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => void;

export interface HardwareBases {
  readonly evict: number;
  readonly sysEvict: number;
  readonly specFill: number;
  readonly sysFill: number;
  readonly lineMove: number;
}

/** Source-text helpers over a layout: field reads from `s*`/`d*` word variables, writes to `d*`. */
class Emitter {
  readonly lines: string[] = [];
  readonly all: number[];
  constructor(private readonly st: SetwayState) {
    this.all = [...Array(st.words).keys()];
  }
  emit(line: string): void {
    this.lines.push(line);
  }
  get(v: 's' | 'd', id: number): string {
    const f = this.st.layout.info(id);
    const mask = f.bits === 32 ? 0xffffffff : 2 ** f.bits - 1;
    return `((${v}${f.word} >>> ${f.shift}) & ${mask})`;
  }
  put(id: number, expr: string): string {
    const f = this.st.layout.info(id);
    const mask = f.bits === 32 ? 0xffffffff : 2 ** f.bits - 1;
    const clear = ~(mask * 2 ** f.shift) >>> 0;
    return `d${f.word} = (d${f.word} & ${clear}) | ((${expr}) << ${f.shift});`;
  }
  /** Declarations: the source words, and the destination words. */
  prologue(): void {
    this.emit(`${this.all.map((k) => `const s${k} = src[${k}];`).join(' ')}`);
    this.emit(`let ${this.all.map((k) => `d${k} = 0`).join(', ')};`);
  }
  /** For code that rewrites the state in `param` in place: its words as s*, copied into d*. */
  inPlacePrologue(param: string): void {
    this.emit(`${this.all.map((k) => `const s${k} = ${param}[${k}];`).join(' ')}`);
    this.emit(`let ${this.all.map((k) => `d${k} = s${k}`).join(', ')};`);
  }
  /** The end of in-place code: the d* words back into `param`. */
  inPlaceEpilogue(param: string): void {
    this.emit(this.all.map((k) => `${param}[${k}] = d${k};`).join(' '));
  }
  begin(): string {
    return this.all.map((k) => `d${k} = s${k};`).join(' ');
  }
  finish(index: number): string {
    return `${this.all.map((k) => `dst[${k}] = d${k};`).join(' ')} visit(${index});`;
  }
  compile(): HardwareSuccessors {
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    return new Function('src', 'dst', 'visit', this.lines.join('\n')) as HardwareSuccessors;
  }
}

/**
 * Migrations for a policy without an onMigrate hook (the built-ins): an
 * unfinished vCPU moves to a pCPU no vCPU is on (scheduler.ts).
 */
export function compileMigrations(st: SetwayState, base: number): HardwareSuccessors {
  const e = new Emitter(st);
  e.prologue();
  e.emit('let occ = 0;');
  for (let v = 0; v < st.V; v++) e.emit(`occ |= 1 << ${e.get('s', st.pcpuF[v]!)};`);
  for (let v = 0; v < st.V; v++) {
    const body: string[] = [];
    for (let to = 0; to < st.P; to++) {
      body.push(`if (((occ >>> ${to}) & 1) === 0) { ${e.begin()} ${e.put(st.pcpuF[v]!, String(to))} ${e.finish(base + v * st.P + to)} }`);
    }
    e.emit(`if (${e.get('s', st.pcF[v]!)} < ${st.programs[v]!.length}) { ${body.join(' ')} }`);
  }
  return e.compile();
}

/** Source for the cache operations of hardware.ts, on slots whose content is still as in src (t/y/v variables). */
function cacheCode(st: SetwayState, e: Emitter) {
  const { S, W } = st;
  const ADDR = st.addrs;
  const maxTag = Math.ceil(ADDR / S);
  const addrOf = (set: number, tag: number) => (tag - 1) * S + set;
  const writeBack = (a: number, v: string) =>
    st.sysCache ? `${e.put(st.sysKindF[a]!, '2')} ${e.put(st.sysValF[a]!, v)}` : e.put(st.ramF[a]!, v);
  /** evictSlot's write-back of a dirty victim. */
  const evictWriteBack = (k: number) => {
    const set = Math.floor(k / W) % S;
    const cases: string[] = [];
    for (let tag = 1; tag <= maxTag; tag++) {
      const a = addrOf(set, tag);
      if (a >= ADDR) continue;
      cases.push(`case ${tag}: ${writeBack(a, `v${k}`)} break;`);
    }
    return `if (y${k} !== 0) { switch (t${k}) { ${cases.join(' ')} } }`;
  };
  const setLine = (k: number, tag: number, dirty: number | string, v: string) =>
    `${e.put(st.tagF[k]!, String(tag))} ${e.put(st.dirtyF[k]!, String(dirty))} ${e.put(st.valF[k]!, v)}`;
  const clearSlot = (k: number) => `${e.put(st.tagF[k]!, '0')} ${e.put(st.dirtyF[k]!, '0')} ${e.put(st.valF[k]!, '0')}`;
  return { writeBack, evictWriteBack, setLine, clearSlot };
}

/** Decode every slot (t/y/v) and every address's RAM (r) and sys entry (k/w) of src. */
function decodeCaches(st: SetwayState, e: Emitter): void {
  for (let k = 0; k < st.P * st.S * st.W; k++) {
    e.emit(`const t${k} = ${e.get('s', st.tagF[k]!)}, y${k} = ${e.get('s', st.dirtyF[k]!)}, v${k} = ${e.get('s', st.valF[k]!)};`);
  }
  for (let a = 0; a < st.addrs; a++) {
    e.emit(`const r${a} = ${e.get('s', st.ramF[a]!)};`);
    if (st.sysCache) e.emit(`const k${a} = ${e.get('s', st.sysKindF[a]!)}, w${a} = ${e.get('s', st.sysValF[a]!)};`);
  }
}

/**
 * vCPU v's STR and LDR instructions (guest.ts), for the program counters
 * where its program has one; DC and SCTLR go to the policy, interpreted.
 * Returns false when the instruction at pc is not compiled.
 */
export function compileGuestMemory(st: SetwayState, v: number, base: number): (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => boolean {
  const e = new Emitter(st);
  const { P, S, W } = st;
  const { evictWriteBack, setLine, clearSlot } = cacheCode(st, e);
  const slot = (p: number, set: number, w: number) => (p * S + set) * W + w;
  e.prologue();
  decodeCaches(st, e);
  e.emit(`const pc = ${e.get('s', st.pcF[v]!)}, p = ${e.get('s', st.pcpuF[v]!)}, on = ${e.get('s', st.cacheOnF[v]!)};`);
  e.emit('switch (pc) {');
  st.programs[v]!.forEach((ins, pc) => {
    if (ins.op !== 'STR' && ins.op !== 'LDR') return;
    const a = ins.addr;
    const set = a % S;
    const T = Math.floor(a / S) + 1;
    const latest = e.get('s', st.latestF[a]!);
    const nextPc = e.put(st.pcF[v]!, String(pc + 1));
    const cases: string[] = [];
    for (let p = 0; p < P; p++) {
      const ways = [...Array(W).keys()];
      // the way of p holding a, if any (a line is in at most one way of a set)
      const hit = ways.map((w) => `t${slot(p, set, w)} === ${T} ? ${w}`).join(' : ') + ' : -1';
      if (ins.op === 'STR') {
        const drops = [...Array(P).keys()]
          .filter((q) => q !== p)
          .flatMap((q) => ways.map((w) => `if (t${slot(q, set, w)} === ${T}) { ${clearSlot(slot(q, set, w))} }`))
          .join(' ');
        const hitCode = ways
          .map((w) => `if (h === ${w}) { ${setLine(slot(p, set, w), T, 1, 'x')} }`)
          .join(' ');
        const missCode = ways
          .map((w) => `{ ${e.begin()} ${e.put(st.latestF[a]!, 'x')} ${drops} ${evictWriteBack(slot(p, set, w))} ${setLine(slot(p, set, w), T, 1, 'x')} ${nextPc} ${e.finish(base + w)} }`)
          .join(' ');
        cases.push(
          `case ${p}: { const h = ${hit}; if (h >= 0) { ${e.begin()} ${e.put(st.latestF[a]!, 'x')} ${drops} ${hitCode} ${nextPc} ${e.finish(base)} } else { ${missCode} } return true; }`,
        );
      } else {
        const stale = e.put(st.staleF[v]!, '1');
        const hitCode = ways.map((w) => `h === ${w} ? v${slot(p, set, w)}`).join(' : ') + ' : 0';
        const dirtyCopy = [...Array(P).keys()]
          .flatMap((q) => ways.map((w) => `(t${slot(q, set, w)} === ${T} && y${slot(q, set, w)} !== 0) ? v${slot(q, set, w)}`))
          .join(' : ');
        const below = st.sysCache ? `(k${a} !== 0 ? w${a} : r${a})` : `r${a}`;
        const missCode = ways
          .map((w) => `{ ${e.begin()} ${evictWriteBack(slot(p, set, w))} ${setLine(slot(p, set, w), T, 0, 'r')} if (r !== lt) { ${stale} } ${nextPc} ${e.finish(base + w)} }`)
          .join(' ');
        cases.push(
          `case ${p}: { const h = ${hit}; if (h >= 0) { const r = ${hitCode}; ${e.begin()} if (r !== lt) { ${stale} } ${nextPc} ${e.finish(base)} } else { const r = ${dirtyCopy} : ${below}; ${missCode} } return true; }`,
        );
      }
    }
    const offCode =
      ins.op === 'STR'
        ? `{ ${e.begin()} ${e.put(st.latestF[a]!, 'x')} ${e.put(st.ramF[a]!, 'x')} ${nextPc} ${e.finish(base)} return true; }`
        : `{ ${e.begin()} if (r${a} !== lt) { ${e.put(st.staleF[v]!, '1')} } ${nextPc} ${e.finish(base)} return true; }`;
    e.emit(
      `case ${pc}: { const lt = ${latest}; const x = lt + 1; if (on === 0) ${offCode} switch (p) { ${cases.join(' ')} } return true; }`,
    );
  });
  e.emit('} return false;');
  return e.compile() as unknown as (src: Uint32Array, dst: Uint32Array, visit: (i: number) => void) => boolean;
}

export function compileHardwareSuccessors(st: SetwayState, base: HardwareBases): HardwareSuccessors {
  const { P, S, W, A } = st;
  const ADDR = st.addrs;
  const e = new Emitter(st);
  const emit = (line: string) => e.emit(line);
  const get = (v: 's' | 'd', id: number) => e.get(v, id);
  const put = (id: number, expr: string) => e.put(id, expr);
  const begin = () => e.begin();
  const finish = (index: number) => e.finish(index);
  const slot = (p: number, set: number, w: number) => (p * S + set) * W + w;
  const tagOf = (a: number) => Math.floor(a / S) + 1;
  const { evictWriteBack, setLine, clearSlot } = cacheCode(st, e);

  e.prologue();
  decodeCaches(st, e);
  // pCPUs that may speculate guest lines
  emit('let on = 0;');
  for (let v = 0; v < st.V; v++) emit(`if (${get('s', st.cacheOnF[v]!)} !== 0) on |= 1 << ${get('s', st.pcpuF[v]!)};`);
  const ALL = (1 << P) - 1;
  emit(`const gspec = ${st.hypSpec ? ALL : 'on'};`);
  const spec = (a: number) => (a < A ? 'gspec' : String(ALL));
  // which pCPUs hold each address, and which holds it dirty
  for (let a = 0; a < ADDR; a++) {
    const set = a % S;
    const T = tagOf(a);
    const parts: string[] = [];
    emit(`let da${a} = -1;`);
    for (let p = 0; p < P; p++)
      for (let w = 0; w < W; w++) {
        const k = slot(p, set, w);
        parts.push(`(t${k} === ${T} ? ${1 << p} : 0)`);
        emit(`if (t${k} === ${T} && y${k} !== 0) da${a} = ${p};`);
      }
    emit(`const h${a} = ${parts.join(' | ')};`);
  }

  // evict p s w
  for (let k = 0; k < P * S * W; k++) {
    emit(`if (t${k} !== 0) { ${begin()} ${evictWriteBack(k)} ${clearSlot(k)} ${finish(base.evict + k)} }`);
  }
  // sysEvict a
  if (st.sysCache) {
    for (let a = 0; a < ADDR; a++) {
      emit(
        `if (k${a} !== 0) { ${begin()} if (k${a} === 2) { ${put(st.ramF[a]!, `w${a}`)} } ${put(st.sysKindF[a]!, '0')} ${put(st.sysValF[a]!, '0')} ${finish(base.sysEvict + a)} }`,
      );
    }
  }
  // specFill p a w
  for (let p = 0; p < P; p++)
    for (let a = 0; a < ADDR; a++) {
      const fill = st.sysCache ? `(k${a} !== 0 ? w${a} : r${a})` : `r${a}`;
      const body: string[] = [];
      for (let w = 0; w < W; w++) {
        const k = slot(p, a % S, w);
        body.push(`{ ${begin()} ${evictWriteBack(k)} ${setLine(k, tagOf(a), 0, 'fv')} ${finish(base.specFill + (p * ADDR + a) * W + w)} }`);
      }
      emit(`if (((${spec(a)} >>> ${p}) & 1) !== 0 && ((h${a} >>> ${p}) & 1) === 0 && da${a} < 0) { const fv = ${fill}; ${body.join(' ')} }`);
    }
  // sysFill a
  if (st.sysCache) {
    for (let a = 0; a < ADDR; a++) {
      emit(`if (k${a} === 0 && ${spec(a)} !== 0) { ${begin()} ${put(st.sysKindF[a]!, '1')} ${put(st.sysValF[a]!, `r${a}`)} ${finish(base.sysFill + a)} }`);
    }
  }
  // lineMove from to a w
  for (let from = 0; from < P; from++)
    for (let to = 0; to < P; to++) {
      if (to === from) continue;
      const pair = from * (P - 1) + (to < from ? to : to - 1);
      for (let a = 0; a < ADDR; a++) {
        const set = a % S;
        const T = tagOf(a);
        // the way of `from` holding a (dirty), known only at run time when W > 1
        const srcWays: string[] = [];
        for (let w = 0; w < W; w++) {
          const k = slot(from, set, w);
          srcWays.push(`if (t${k} === ${T}) { mk = ${k}; mv = v${k}; }`);
        }
        const body: string[] = [];
        for (let w = 0; w < W; w++) {
          const victim = slot(to, set, w);
          const clears = [...Array(W).keys()].map((sw) => `if (mk === ${slot(from, set, sw)}) { ${clearSlot(slot(from, set, sw))} }`).join(' ');
          body.push(
            `{ ${begin()} ${clears} ${evictWriteBack(victim)} ${setLine(victim, T, 1, 'mv')} ${finish(base.lineMove + (pair * ADDR + a) * W + w)} }`,
          );
        }
        emit(
          `if (da${a} === ${from} && ((${spec(a)} >>> ${to}) & 1) !== 0 && ((h${a} >>> ${to}) & 1) === 0) { let mk = -1, mv = 0; ${srcWays.join(' ')} ${body.join(' ')} }`,
        );
      }
    }
  return e.compile();
}

/**
 * The pCPU canonicalisation of symmetry.ts, compiled: each pCPU's key (the
 * vCPU running there, then every slot's tag, dirty bit and value) as one
 * mixed-radix number, an odd-even transposition sort of the P keys, and
 * straight-line moves for the resulting permutation. Same order of keys, so
 * the same canonical states. Undefined (use the interpreted one) beyond
 * 4 pCPUs, with per-pCPU policy bookkeeping, or when a key needs more than
 * 52 bits.
 */
export function compileCanonicalizer(st: SetwayState): ((s: Uint32Array) => void) | undefined {
  const { P, S, W, V } = st;
  if (P < 2 || P > 4 || st.pcpuVarNames.length > 0) return undefined;
  const L = st.layout;
  const perP = S * W;
  const bits = (n: number) => Math.max(1, Math.ceil(Math.log2(n + 1)));
  const slotFields = [st.tagF, st.dirtyF, st.valF];
  const keyBits = bits(V) + perP * slotFields.reduce((n, f) => n + Math.max(1, L.info(f[0]!).bits), 0);
  if (keyBits > 52) return undefined;
  const e = new Emitter(st);
  e.inPlacePrologue('s');
  for (let v = 0; v < V; v++) e.emit(`const c${v} = ${e.get('s', st.pcpuF[v]!)};`);
  for (let p = 0; p < P; p++) {
    let key = [...Array(V).keys()].map((v) => `c${v} === ${p} ? ${v} : `).join('') + String(V);
    key = `(${key})`;
    for (let k = p * perP; k < (p + 1) * perP; k++) {
      for (const f of slotFields) {
        const b = Math.max(1, L.info(f[k]!).bits);
        key = `(${key} * ${2 ** b} + ${e.get('s', f[k]!)})`;
      }
    }
    e.emit(`let a${p} = ${key}, i${p} = ${p};`);
  }
  // odd-even transposition sort of (a, i) pairs by a
  for (let r = 0; r < P; r++) {
    for (let j = r % 2; j + 1 < P; j += 2) {
      e.emit(`if (a${j} > a${j + 1}) { const ta = a${j}; a${j} = a${j + 1}; a${j + 1} = ta; const ti = i${j}; i${j} = i${j + 1}; i${j + 1} = ti; }`);
    }
  }
  // the pCPU at sorted position j becomes pCPU j: pi[i_j] = j
  const code = [...Array(P).keys()].map((j) => `i${j} * ${P ** j}`).join(' + ');
  e.emit(`switch (${code}) {`);
  const perms = (n: number): number[][] => (n === 0 ? [[]] : perms(n - 1).flatMap((r) => [...Array(n).keys()].map((k) => [...r.slice(0, k), n - 1, ...r.slice(k)])));
  for (const order of perms(P)) {
    if (order.every((p, j) => p === j)) continue;
    const pi: number[] = [];
    order.forEach((p, j) => (pi[p] = j));
    const moves: string[] = [];
    for (let p = 0; p < P; p++) {
      const q = pi[p]!;
      if (q === p) continue;
      for (let k = 0; k < perP; k++) for (const f of slotFields) moves.push(e.put(f[q * perP + k]!, e.get('s', f[p * perP + k]!)));
    }
    for (let v = 0; v < V; v++) {
      moves.push(e.put(st.pcpuF[v]!, [...Array(P).keys()].map((p) => `c${v} === ${p} ? ${pi[p]} : `).join('') + '0'));
    }
    const caseCode = order.reduce((n, p, j) => n + p * P ** j, 0);
    e.emit(`case ${caseCode}: { ${moves.join(' ')} break; }`);
  }
  e.emit('default: return;');
  e.emit('}');
  e.inPlaceEpilogue('s');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('s', e.lines.join('\n')) as (s: Uint32Array) => void;
}

/**
 * flushVM of hardware.ts, compiled for the configuration: every dirty guest
 * copy in the system cache, then in the private caches, reaches RAM, and every
 * guest line and system-cache entry is emptied, in place. trap-va calls it for
 * every trapped DC by set/way and SCTLR toggle, so it runs on about one state
 * in two; interpreted, it was a fifth of successor generation on ref-e.
 * test/successors.test.ts checks it against the interpreted flushVM.
 */
export function compileFlushVM(st: SetwayState): (s: Uint32Array) => void {
  const { S, W, A } = st;
  const e = new Emitter(st);
  const { clearSlot } = cacheCode(st, e);
  e.inPlacePrologue('src');
  decodeCaches(st, e);
  if (st.sysCache) {
    for (let a = 0; a < A; a++) {
      e.emit(`if (k${a} === 2) { ${e.put(st.ramF[a]!, `w${a}`)} } ${e.put(st.sysKindF[a]!, '0')} ${e.put(st.sysValF[a]!, '0')}`);
    }
  }
  const maxTag = Math.ceil(st.addrs / S);
  for (let k = 0; k < st.P * S * W; k++) {
    const set = Math.floor(k / W) % S;
    const cases: string[] = [];
    for (let tag = 1; tag <= maxTag; tag++) {
      const a = (tag - 1) * S + set;
      if (!st.isGuest(a)) continue;
      cases.push(`case ${tag}: { if (y${k} !== 0) { ${e.put(st.ramF[a]!, `v${k}`)} } ${clearSlot(k)} break; }`);
    }
    if (cases.length > 0) e.emit(`switch (t${k}) { ${cases.join(' ')} }`);
  }
  e.inPlaceEpilogue('src');
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  return new Function('src', e.lines.join('\n')) as (s: Uint32Array) => void;
}
