import type { SourceLocation } from '../../load/source-file.js';

/**
 * Bounds on the work and the sizes of values in the expression engine. Depth limits alone do not
 * bound work (a template that links itself twice per level, a user function calling another
 * twice per level, copy loops inside copy loops are exponential or huge at a small depth), and
 * JavaScript aborts the process when a string or an array grows past what V8 can hold. Each
 * limit is therefore checked before the work is done or the value is built.
 */

/**
 * The longest string an expression may build, in UTF-16 code units (4 Mi). ARM refuses a
 * template over 4 MB, so no real value comes near it; V8's own limit (~512 Mi) is far beyond.
 */
export const MAX_STRING_LENGTH = 4 * 1024 * 1024;

/** The most items an array built by an expression may hold (`concat`, `union`, lambdas, …). */
export const MAX_ARRAY_LENGTH = 1_000_000;

/**
 * How deeply calls, indexes and property accesses may nest within one expression. The parser
 * and evaluator recurse once per level; real templates stay under 30.
 */
export const MAX_EXPRESSION_DEPTH = 256;

/**
 * How deeply evaluations may nest in one another at run time: a call inside a call, and an
 * expression evaluated for another (a variable read by a variable, a user-defined function's
 * body, a resource body read by `reference()`), the object and array levels of the template
 * included. The stack overflows somewhere past 800 (a chain of variables each calling the next);
 * at 400 the worst shapes we know use about 60% of Node's default stack.
 */
export const MAX_EVALUATION_DEPTH = 400;

/**
 * How deeply a value built by a function may nest (arrays and objects in one another): it is
 * walked recursively afterwards (`string()`, comparison, JSON output, whose pretty-printed size
 * grows with the square of the depth). Above the JSON parser's 512 levels, so that any value a
 * template file can hold passes; a lambda or a chain of variables could build far deeper ones.
 */
export const MAX_VALUE_DEPTH = 600;

/** What a limit stops. */
export type LimitKind = 'steps' | 'memory' | 'resources' | 'deployments' | 'time';

/**
 * A limit on the whole unit was reached: the unit's expansion stops (it is not one bad value, so
 * evaluation errors must not catch it). `offset`/`where` locate the expression being evaluated.
 */
export class LimitExceeded extends Error {
  /** Where it was hit: set by the innermost expression evaluation that sees the error pass. */
  file?: string;
  location?: SourceLocation;
  constructor(
    message: string,
    readonly kind: LimitKind,
  ) {
    super(message);
    this.name = 'LimitExceeded';
  }
}

export interface BudgetLimits {
  /** Function calls and expression evaluations in one unit. */
  steps: number;
  /**
   * The size of the values built in one unit, in approximate bytes: a character counts 1, an
   * array or object 32 and each of its items or members 16 (about what V8 uses). Bounds memory where counting steps does not (800 copies
   * each building a 4 MB string are only 800 calls).
   */
  built: number;
  /** Resources declared in one unit, nested deployments included. */
  resources: number;
  /** Nested and linked deployments expanded in one unit. */
  deployments: number;
  /** Milliseconds one unit may take; 0 = no limit. */
  timeoutMs: number;
}

/**
 * The work one scan unit may do. Threaded through the evaluation context and the expansion;
 * counted where work happens (each function call, each resource, each deployment). Once spent it
 * stays spent, so whatever follows stops at once too.
 */
export class Budget {
  private steps = 0;
  private built = 0;
  private resources = 0;
  private deployments = 0;
  /** Current nesting of evaluations (see MAX_EVALUATION_DEPTH). */
  depth = 0;
  private deadline: number;
  private spent?: LimitExceeded;

  constructor(
    readonly limits: BudgetLimits,
    now: number = Date.now(),
  ) {
    this.deadline = limits.timeoutMs > 0 ? now + limits.timeoutMs : Infinity;
  }

  /** Counts one unit of evaluation work; checks the clock every 1,024 steps (reading it is not free). */
  step(): void {
    if (this.spent) throw this.spent;
    if (++this.steps > this.limits.steps)
      this.fail('steps', `the expansion evaluated more than ${this.limits.steps.toLocaleString('en-US')} functions and expressions (the limit per template)`);
    if ((this.steps & 1023) === 0) this.checkTime();
  }

  /** Counts the size of a value just built (see BudgetLimits.built). */
  charge(size: number): void {
    if (this.spent) throw this.spent;
    this.built += size;
    if (this.built > this.limits.built)
      this.fail('memory', `the expansion built more than ${Math.round(this.limits.built / 1024 / 1024)} MB of values (the limit per template)`);
  }

  resource(): void {
    if (this.spent) throw this.spent;
    if (++this.resources > this.limits.resources)
      this.fail(
        'resources',
        `the expansion declared more than ${this.limits.resources.toLocaleString('en-US')} resources (the limit per template, nested deployments included)`,
      );
    if ((this.resources & 63) === 0) this.checkTime();
  }

  deployment(): void {
    if (this.spent) throw this.spent;
    if (++this.deployments > this.limits.deployments)
      this.fail(
        'deployments',
        `the expansion expanded more than ${this.limits.deployments.toLocaleString('en-US')} nested deployments (the limit per template)`,
      );
    this.checkTime();
  }

  /**
   * Enters one level of evaluation nesting; `leave()` must follow (in a `finally`). Too deep is
   * an error about one value (the caller's SizeError), not the end of the unit.
   */
  enter(): void {
    if (this.depth >= MAX_EVALUATION_DEPTH) throw new SizeError(TOO_DEEP);
    this.depth++;
  }

  leave(): void {
    this.depth--;
  }

  /**
   * The expansion is over: what is evaluated later (a finding's provenance, `tollgate expand`'s
   * outputs) re-evaluates single expressions and must not fail because the clock ran on.
   */
  finish(): void {
    this.deadline = Infinity;
  }

  /** The work done so far (for tests and for choosing the limits). */
  get used(): { steps: number; built: number; resources: number; deployments: number } {
    return { steps: this.steps, built: this.built, resources: this.resources, deployments: this.deployments };
  }

  get exhausted(): LimitExceeded | undefined {
    return this.spent;
  }

  private checkTime(): void {
    if (Date.now() > this.deadline)
      this.fail('time', `the expansion took longer than ${this.limits.timeoutMs / 1000} seconds (the limit per template; see --unit-timeout)`);
  }

  private fail(kind: LimitKind, message: string): never {
    this.spent = new LimitExceeded(message, kind);
    throw this.spent;
  }
}

/** Throws when a string of `length` would be over MAX_STRING_LENGTH; called before building it. */
export function checkStringLength(length: number, what = 'the result'): void {
  if (length > MAX_STRING_LENGTH)
    throw new SizeError(`${what} would be ${length.toLocaleString('en-US')} characters long; the limit is ${MAX_STRING_LENGTH.toLocaleString('en-US')}`);
}

/** Throws when an array of `length` items would be over MAX_ARRAY_LENGTH; called before building it. */
export function checkArrayLength(length: number, what = 'the result'): void {
  if (length > MAX_ARRAY_LENGTH)
    throw new SizeError(`${what} would have ${length.toLocaleString('en-US')} items; the limit is ${MAX_ARRAY_LENGTH.toLocaleString('en-US')}`);
}

/**
 * A value would be too large or too deep. A plain error about one value: the evaluator turns it
 * into a diagnostic at the call, and the value is Unknown.
 */
export class SizeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SizeError';
  }
}

export const TOO_DEEP = `evaluations nest more than ${MAX_EVALUATION_DEPTH} deep (variables, functions or values built within one another)`;

// Depths of the arrays and objects already measured. Values are immutable once built and are
// built bottom-up (a function's result holds its arguments), so measuring a new value only
// walks what is new in it.
const depths = new WeakMap<object, number>();

/**
 * The nesting depth of a value (a scalar is 0, `[]` is 1), as a SizeError when it is over
 * MAX_VALUE_DEPTH. Iterative: the value may be far deeper than the stack.
 */
export function checkDepth(v: unknown): number {
  if (v === null || typeof v !== 'object') return 0;
  const known = depths.get(v);
  if (known !== undefined) return known;
  // Post-order walk: a node is finished when all its children have a depth.
  const stack: { node: object; children: unknown[]; next: number; depth: number }[] = [{ node: v, children: childrenOf(v), next: 0, depth: 1 }];
  let result = 0;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.next < top.children.length) {
      const child = top.children[top.next++];
      if (child === null || typeof child !== 'object') continue;
      const d = depths.get(child);
      if (d !== undefined) {
        if (d + 1 > top.depth) top.depth = d + 1;
      } else {
        if (stack.length >= MAX_VALUE_DEPTH) throw new SizeError(`the value nests more than ${MAX_VALUE_DEPTH} levels deep`);
        stack.push({ node: child, children: childrenOf(child), next: 0, depth: 1 });
      }
      continue;
    }
    stack.pop();
    if (stack.length + top.depth > MAX_VALUE_DEPTH) throw new SizeError(`the value nests more than ${MAX_VALUE_DEPTH} levels deep`);
    depths.set(top.node, top.depth);
    result = top.depth;
    const parent = stack[stack.length - 1];
    if (parent && top.depth + 1 > parent.depth) parent.depth = top.depth + 1;
  }
  return result;
}

function childrenOf(v: object): unknown[] {
  return Array.isArray(v) ? v : Object.values(v);
}

/**
 * Checks a value a function returned: string and array lengths, nesting depth. Returns the size
 * of what is new in it (approximate bytes, see BudgetLimits.built): arrays and objects not seen
 * before (a variable's value read again is not built again); strings are the caller's to count.
 */
export function checkResult(v: unknown): number {
  if (typeof v === 'string') {
    checkStringLength(v.length);
    return 0;
  }
  if (v === null || typeof v !== 'object') return 0;
  if (Array.isArray(v)) checkArrayLength(v.length);
  if (depths.has(v)) return 0;
  checkDepth(v);
  return OBJECT_BYTES + MEMBER_BYTES * (Array.isArray(v) ? v.length : Object.keys(v).length);
}

/** What an array or object costs in BudgetLimits.built, and each of its items or members. */
export const OBJECT_BYTES = 32;
export const MEMBER_BYTES = 16;

/**
 * Functions whose string result is a value that already exists (looked up or passed through),
 * not one they build: counting it again at each read would charge a template for reading a
 * large variable in a copy loop. Spelled as the function table defines them (FunctionDef.name);
 * user-defined functions (`ns.fn`) return what their body's calls built and were counted.
 */
export const RETURNS_EXISTING: ReadonlySet<string> = new Set([
  'parameters',
  'variables',
  'reference',
  'references',
  'lambdaVariables',
  'if',
  'coalesce',
  'first',
  'last',
  'tryGet',
  'tryIndexFromEnd',
  'indexFromEnd',
  'min',
  'max',
]);
