/**
 * The `Hyp` object handed to policy hooks, and the runner that calls them.
 * One context object is reused for every call (no allocation per transition);
 * it acts on the successor state being built.
 */
import { PolicyError } from '../core/errors.ts';
import { runPolicyHook } from '../core/policy-loader.ts';
import type { SetWayOp, SetwayHardware } from './hardware.ts';
import { type Geometry, type Hyp, HYP_MEMBERS, type SetwayPolicy } from './policy.ts';
import { boolArg, capabilityOf } from '../core/capability.ts';
import type { SetwayState } from './state.ts';

const OPS: readonly SetWayOp[] = ['ISW', 'CSW', 'CISW'];

class HypContext implements Hyp {
  s: Uint32Array = new Uint32Array(0);
  vcpu = 0;
  pcpu = 0;
  where: { describeCall(): string } | undefined;
  readonly geometry: Geometry;

  constructor(
    private readonly st: SetwayState,
    private readonly hw: SetwayHardware,
    private readonly policyName: string,
  ) {
    const p = st.params;
    this.geometry = Object.freeze({
      pcpus: p.pcpus,
      vcpus: p.vcpus,
      lines: p.lines,
      neighborLines: p.neighborLines,
      sets: p.sets,
      ways: p.ways,
      systemCache: p.systemCache,
    });
  }

  private fail(msg: string): never {
    throw new PolicyError(`policy ${this.policyName}: ${this.where?.describeCall() ?? 'hook'}: ${msg}`);
  }
  private int(x: unknown, lo: number, hi: number, what: string): number {
    if (typeof x !== 'number' || !Number.isInteger(x) || x < lo || x > hi) {
      this.fail(`${what} must be an integer ${lo}..${hi}, got ${String(x)}`);
    }
    return x;
  }

  get cacheOn(): boolean {
    return this.st.cacheOn(this.s, this.vcpu);
  }
  setCacheOn(on: boolean): void {
    this.st.setCacheOn(this.s, this.vcpu, boolArg(on, 'setCacheOn(on)', (m) => this.fail(m)));
  }
  get tvm(): boolean {
    return this.st.tvm(this.s, this.vcpu);
  }
  setTvm(on: boolean): void {
    this.st.setTvm(this.s, this.vcpu, boolArg(on, 'setTvm(on)', (m) => this.fail(m)));
  }
  flushVM(): void {
    this.hw.flushVM(this.s);
  }
  cleanInvalidateVA(addr: number): void {
    this.hw.cleanInvalidateVA(this.s, this.int(addr, 0, this.st.A - 1, 'guest address'));
  }
  cleanVA(addr: number): void {
    this.hw.cleanVA(this.s, this.int(addr, 0, this.st.A - 1, 'guest address'));
  }
  invalidateVA(addr: number): void {
    this.hw.invalidateVA(this.s, this.int(addr, 0, this.st.A - 1, 'guest address'));
  }
  setWay(op: SetWayOp, pcpu: number, set: number, way: number): void {
    if (!OPS.includes(op)) this.fail(`unknown set/way operation ${String(op)}`);
    this.hw.setWay(
      this.s,
      op,
      this.int(pcpu, 0, this.st.P - 1, 'pcpu'),
      this.int(set, 0, this.st.S - 1, 'set'),
      this.int(way, 0, this.st.W - 1, 'way'),
    );
  }
  setWayAll(op: SetWayOp, pcpu: number): void {
    for (let set = 0; set < this.st.S; set++) for (let w = 0; w < this.st.W; w++) this.setWay(op, pcpu, set, w);
  }
  vcpuOn(pcpu: number): number {
    return this.st.vcpuOn(this.s, this.int(pcpu, 0, this.st.P - 1, 'pcpu'));
  }
  cacheOnOf(vcpu: number): boolean {
    return this.st.cacheOn(this.s, this.int(vcpu, 0, this.st.V - 1, 'vcpu'));
  }
  tvmOf(vcpu: number): boolean {
    return this.st.tvm(this.s, this.int(vcpu, 0, this.st.V - 1, 'vcpu'));
  }
  get(name: string): number {
    return this.getVcpu(this.vcpu, name);
  }
  set(name: string, value: number): void {
    this.setVcpu(this.vcpu, name, value);
  }
  getVcpu(vcpu: number, name: string): number {
    return this.st.layout.get(this.s, this.vcpuField(vcpu, name));
  }
  setVcpu(vcpu: number, name: string, value: number): void {
    this.write(this.vcpuField(vcpu, name), value);
  }
  getPcpu(pcpu: number, name: string): number {
    return this.st.layout.get(this.s, this.pcpuField(pcpu, name));
  }
  setPcpu(pcpu: number, name: string, value: number): void {
    this.write(this.pcpuField(pcpu, name), value);
  }
  private vcpuField(vcpu: number, name: string): number {
    const f = this.st.vcpuVarField(this.int(vcpu, 0, this.st.V - 1, 'vcpu'), name);
    if (f < 0) this.fail(`no per-vCPU variable ${JSON.stringify(name)} is declared in state.perVcpu`);
    return f;
  }
  private pcpuField(pcpu: number, name: string): number {
    const f = this.st.pcpuVarField(this.int(pcpu, 0, this.st.P - 1, 'pcpu'), name);
    if (f < 0) this.fail(`no per-pCPU variable ${JSON.stringify(name)} is declared in state.perPcpu`);
    return f;
  }
  private write(field: number, value: number): void {
    const info = this.st.layout.info(field);
    this.st.layout.put(this.s, field, this.int(value, 0, info.max, info.name));
  }
}

type Hook = 'onSetWay' | 'onSctlr' | 'onMigrate';

/**
 * Calls a policy's hooks on a successor state. With `checked` (policies loaded
 * from a file) every hook runs twice on the same state and must agree
 * (runPolicyHook). Unchecked calls allocate nothing: arguments live in
 * fields, and the description of a call is only built for an error message.
 */
export class PolicyRunner {
  private readonly ctx: HypContext;
  private hook: Hook = 'onSetWay';
  private op: SetWayOp = 'CISW';
  private set = 0;
  private way = 0;
  private on = false;
  private to = 0;

  /** What the hooks get: a capability for policy files, the context itself for built-ins. */
  private readonly view: Hyp;

  constructor(
    readonly policy: SetwayPolicy,
    st: SetwayState,
    hw: SetwayHardware,
    private readonly checked: boolean,
  ) {
    this.ctx = new HypContext(st, hw, policy.name);
    this.view = checked ? capabilityOf<Hyp>(this.ctx, HYP_MEMBERS) : this.ctx;
  }

  setWay(s: Uint32Array, vcpu: number, pcpu: number, op: SetWayOp, set: number, way: number): void {
    this.hook = 'onSetWay';
    this.op = op;
    this.set = set;
    this.way = way;
    this.run(s, vcpu, pcpu);
  }

  sctlr(s: Uint32Array, vcpu: number, pcpu: number, on: boolean): void {
    this.hook = 'onSctlr';
    this.on = on;
    this.run(s, vcpu, pcpu);
  }

  /** Returns false when the policy forbids the migration. */
  migrate(s: Uint32Array, vcpu: number, from: number, to: number): boolean {
    if (!this.policy.onMigrate) return true;
    this.hook = 'onMigrate';
    this.to = to;
    const r = this.run(s, vcpu, from);
    if (r !== undefined && typeof r !== 'boolean') {
      throw new PolicyError(`policy ${this.policy.name}: ${this.where()} must return true, false or nothing, got ${String(r)}`);
    }
    return r !== false;
  }

  /** `onSetWay(v0 on p1, CISW set=0 way=0)`: the call, for messages. */
  private where(): string {
    const c = this.ctx;
    const args =
      this.hook === 'onSetWay' ? `${this.op} set=${this.set} way=${this.way}` : this.hook === 'onSctlr' ? (this.on ? 'on' : 'off') : `to p${this.to}`;
    return `${this.hook}(v${c.vcpu} on p${c.pcpu}, ${args})`;
  }

  private run(s: Uint32Array, vcpu: number, pcpu: number): unknown {
    const ctx = this.ctx;
    ctx.vcpu = vcpu;
    ctx.pcpu = pcpu;
    if (!this.checked) return this.call(s);
    return runPolicyHook(this.policy.name, this.where(), s, true, () => this.call(s));
  }

  private call(s: Uint32Array): unknown {
    const ctx = this.ctx;
    const p = this.policy;
    ctx.s = s;
    ctx.where = this;
    try {
      const hyp = this.view;
      switch (this.hook) {
        case 'onSetWay':
          return p.onSetWay(hyp, this.op, this.set, this.way);
        case 'onSctlr':
          return p.onSctlr(hyp, this.on);
        case 'onMigrate':
          return p.onMigrate!(hyp, this.to);
      }
    } catch (e) {
      if (e instanceof PolicyError) throw e;
      const msg = e instanceof Error ? e.message : String(e);
      throw new PolicyError(`policy ${p.name}: ${this.where()} threw: ${msg}`);
    }
  }

  /** For HypContext's messages. */
  describeCall(): string {
    return this.where();
  }
}
