/**
 * Errors that reach the user. Every one of them carries the process exit code
 * the CLI turns it into: bad input of any kind (unknown names, out-of-range
 * parameters, malformed files, a policy that throws or is nondeterministic)
 * is exit code 2, never a stack trace.
 */
export class HvmcError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.name = 'HvmcError';
    this.exitCode = exitCode;
  }
}

/** Bad input from the user: unknown names, out-of-range or contradictory parameters, malformed files. */
export class UsageError extends HvmcError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'UsageError';
  }
}

/** A policy plug-in misbehaved: it threw, broke a rule of the interface, or was nondeterministic. */
export class PolicyError extends HvmcError {
  constructor(message: string) {
    super(message, 2);
    this.name = 'PolicyError';
  }
}
