/**
 * hvmc's public API. Everything else is internal and may change.
 */
export { bfs, type BfsOptions, type BfsResult, type SearchLimits, type Progress } from './explorer/bfs.ts';
export { check, type CheckReport, type InvariantReport } from './explorer/check.ts';
export { replay, type ReplayOutcome, type RecordedStep } from './explorer/replay.ts';
export { buildTrace, renderTrace, type Trace, type TraceStep, type Change } from './explorer/trace.ts';
export { defineModel, type ModelDef, type ActionDef } from './explorer/define.ts';
export { Layout } from './explorer/layout.ts';
export type { Model, Invariant, Violation, ActionLabel, StateView, Value } from './explorer/model.ts';
export { HvmcError, UsageError, PolicyError } from './model/core/errors.ts';
export { FAMILIES } from './model/registry.ts';
export { SetwayModel, definePolicy, SETWAY_POLICIES, SETWAY_CONFIGS, SETWAY_DEFAULTS } from './model/setway/index.ts';
export type { Hyp, SetwayPolicy, SetWayOp, SetwayAction, SetwayParams } from './model/setway/index.ts';
export { setwayInvariants } from './invariants/setway.ts';
export { Stage2Model, defineStage2Policy, stage2Family } from './model/stage2/index.ts';
export type { Stage2Policy, S2Hyp, S2AllocHyp, Stage2Action } from './model/stage2/index.ts';
