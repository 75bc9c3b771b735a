/**
 * Versions of policy definitions and initiatives (`{Major}.{Minor}.{Patch}`, optionally with a
 * `-preview` or `-deprecated` suffix), and the version patterns that initiative references,
 * assignments and `definitionVersion` overrides use to pick one: `1.*.*` is the newest 1.x,
 * `1.2.*` the newest 1.2.x, `1.2.3` exactly that one.
 */
export interface Version {
  major: number;
  minor: number;
  patch: number;
  /** A `-preview` version: chosen only by a pattern that accepts previews. */
  preview: boolean;
  text: string;
}

export interface VersionPattern {
  major: number;
  minor?: number;
  patch?: number;
  preview: boolean;
  text: string;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)(?:-([A-Za-z]+))?$/;
const PATTERN = /^(\d+)\.(\d+|\*)\.(\d+|\*)(?:-([A-Za-z]+))?$/;

export function parseVersion(text: string): Version | undefined {
  const m = VERSION.exec(text.trim());
  if (!m) return undefined;
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]), preview: m[4]?.toLowerCase() === 'preview', text };
}

export function parseVersionPattern(text: string): VersionPattern | undefined {
  const m = PATTERN.exec(text.trim());
  if (!m) return undefined;
  // `1.*.5` names no single line of versions: a wildcard minor needs a wildcard patch.
  if (m[2] === '*' && m[3] !== '*') return undefined;
  return {
    major: Number(m[1]),
    ...(m[2] !== '*' ? { minor: Number(m[2]) } : {}),
    ...(m[3] !== '*' ? { patch: Number(m[3]) } : {}),
    preview: m[4]?.toLowerCase() === 'preview',
    text,
  };
}

/**
 * A pattern without `-preview` takes releases only (and deprecated ones); a `-preview` pattern
 * accepts previews *and* releases. Azure's own initiatives rely on the latter: 38 references of
 * the built-in initiatives (MCSB's `bd876905…` at `3.*.*-preview`, the Azure Monitor and
 * Defender for Cloud sets) pin `-preview` on definitions whose versions in that major are all
 * releases, and Azure resolves them.
 */
export function versionMatches(version: Version, pattern: VersionPattern): boolean {
  return (
    version.major === pattern.major &&
    (pattern.minor === undefined || version.minor === pattern.minor) &&
    (pattern.patch === undefined || version.patch === pattern.patch) &&
    (pattern.preview || !version.preview)
  );
}

/** Newer first is > 0. A release sorts above a preview of the same numbers. */
export function compareVersions(a: Version, b: Version): number {
  return a.major - b.major || a.minor - b.minor || a.patch - b.patch || Number(b.preview) - Number(a.preview);
}

/**
 * The version a pattern picks among those at hand: the newest that matches. Without a pattern
 * Azure uses the latest version; items without a readable version count as the latest only when
 * nothing else is there. `versionOf` gives each item's version text.
 */
export function pickVersion<T>(
  items: readonly T[],
  versionOf: (item: T) => string | undefined,
  pattern?: string,
  listed: readonly string[] = [],
): { picked?: T; problem?: string } {
  const versioned = items.flatMap((item) => {
    const text = versionOf(item);
    const v = text === undefined ? undefined : parseVersion(text);
    return v ? [{ item, v }] : [];
  });
  if (pattern === undefined) {
    if (!versioned.length) return { picked: items[items.length - 1] };
    return { picked: versioned.reduce((best, x) => (compareVersions(x.v, best.v) > 0 ? x : best)).item };
  }
  const wanted = parseVersionPattern(pattern);
  if (!wanted) return { problem: `definitionVersion '${pattern}' is not a version (Major.Minor.Patch, with * for minor and patch)` };
  const matching = versioned.filter((x) => versionMatches(x.v, wanted));
  if (matching.length) return { picked: matching.reduce((best, x) => (compareVersions(x.v, best.v) > 0 ? x : best)).item };
  const have = versioned.map((x) => x.v.text);
  // A definition lists every version Azure has (`versions`); say when the one asked for exists there.
  const elsewhere = listed
    .filter((t) => !have.includes(t))
    .map(parseVersion)
    .filter((v): v is Version => v !== undefined && versionMatches(v, wanted));
  return {
    problem: `version ${pattern} is asked for; ${have.length ? `Tollgate has ${have.join(', ')}` : 'the loaded definition has no version'}${
      elsewhere.length ? ` (Azure has ${elsewhere.map((v) => v.text).join(', ')}: give that version's JSON with --policy)` : ''
    }`,
  };
}
