/**
 * The value model shared by the ARM expander, the policy engine and the rules.
 * Values are plain JSON data (objects keep the case of their keys) plus `Unknown`:
 * something Azure would only know at deployment time, or that nobody supplied.
 */
export class Unknown {
  constructor(readonly reason: string) {}
  toString(): string {
    return `<unknown: ${this.reason}>`;
  }
  toJSON(): string {
    return this.toString();
  }
}

export type Value = string | number | boolean | null | Value[] | { [key: string]: Value } | Unknown;
export type ObjectValue = { [key: string]: Value };

export function isUnknown(v: unknown): v is Unknown {
  return v instanceof Unknown;
}

export function isObject(v: unknown): v is ObjectValue {
  return typeof v === 'object' && v !== null && !Array.isArray(v) && !(v instanceof Unknown);
}

const declaredBodies = new WeakSet<object>();

/**
 * Marks a resource body declared in the deployment as read through `reference()`. Properties
 * it does not declare are set by Azure when the resource is deployed (`principalId`,
 * `gatewayUrl`, `provisioningState`), so reading one gives Unknown rather than an error.
 */
export function markDeclaredBody(v: Value): void {
  if (Array.isArray(v)) v.forEach(markDeclaredBody);
  else if (isObject(v) && !declaredBodies.has(v)) {
    declaredBodies.add(v);
    for (const child of Object.values(v)) markDeclaredBody(child);
  }
}

export function isDeclaredBody(v: unknown): boolean {
  return typeof v === 'object' && v !== null && declaredBodies.has(v);
}

/**
 * Sets a key as plain data. Assignment would let a `__proto__` key from a template replace the
 * object's prototype; only that key is defined, the rest assigned (faster).
 */
export function setOwn(out: ObjectValue, key: string, value: Value): void {
  if (key === '__proto__') Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
  else out[key] = value;
}

/** ARM's lookup rule: an exact-case key first, then the first key equal ignoring case. */
export function getProperty(obj: unknown, key: string): Value | undefined {
  if (!isObject(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) {
    if (k.toLowerCase() === lower) return obj[k];
  }
  return undefined;
}

/** A path segment: a property name or an array index. */
export type PathSegment = string | number;

/**
 * Parses a property path: `properties.url`, `properties.hostnameConfigurations[0].hostName`,
 * and quoted segments for keys that contain dots:
 * `properties.customProperties['Microsoft.WindowsAzure.ApiManagement.Gateway.Security.Protocols.Tls10']`.
 */
export function parsePath(path: string): PathSegment[] {
  const out: PathSegment[] = [];
  let i = 0;
  // The current name segment is path[start, i): sliced once at its end, not built a character at a time.
  let start = 0;
  const flush = () => {
    if (i > start) out.push(path.slice(start, i));
  };
  while (i < path.length) {
    const ch = path[i]!;
    if (ch === '.') {
      flush();
      i++;
      start = i;
    } else if (ch === '[') {
      flush();
      const close = path.indexOf(']', i);
      if (close < 0) throw new Error(`unclosed '[' in path '${path}'`);
      const inner = path.slice(i + 1, close);
      // `s`: a quoted key may hold a line break (a JSON key can be any string).
      const quoted = /^'(.*)'$|^"(.*)"$/s.exec(inner);
      if (quoted) out.push(quoted[1] ?? quoted[2] ?? '');
      else if (/^\d+$/.test(inner)) out.push(Number(inner));
      else throw new Error(`bad index '[${inner}]' in path '${path}'`);
      i = close + 1;
      start = i;
    } else {
      i++;
    }
  }
  flush();
  return out;
}

/** Renders a path back in the form `parsePath` reads, quoting segments that need it. */
export function formatPath(path: readonly PathSegment[]): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out ? `.${seg}` : seg;
    else out += `['${seg}']`;
  }
  return out;
}

/** Follows a path with ARM's case-insensitive lookup. `undefined` = not present. */
export function getPath(value: unknown, path: readonly PathSegment[] | string): Value | undefined {
  const segs = typeof path === 'string' ? parsedPath(path) : path;
  let cur: unknown = value;
  for (const seg of segs) {
    if (cur instanceof Unknown) return cur;
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      cur = getProperty(cur, seg);
    }
    if (cur === undefined) return undefined;
  }
  return cur as Value;
}

// Rules read the same few paths of every resource: each is parsed once. Paths may come from
// policy files, so the map is capped (it starts again when full).
const parsedPaths = new Map<string, readonly PathSegment[]>();
const MAX_PARSED_PATHS = 10_000;

/** parsePath, kept per path (read-only: shared by every caller). */
export function parsedPath(path: string): readonly PathSegment[] {
  let segs = parsedPaths.get(path);
  if (!segs) {
    segs = parsePath(path);
    if (parsedPaths.size >= MAX_PARSED_PATHS) parsedPaths.clear();
    parsedPaths.set(path, segs);
  }
  return segs;
}

/** "Has a value": present, not null, not '', not an empty array (PSRule's HasFieldValue). */
export function hasValue(v: Value | undefined): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return v.length > 0;
  if (Array.isArray(v)) return v.length > 0;
  return true;
}
