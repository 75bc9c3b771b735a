import { pathToFileURL } from 'node:url';
import { baselineFingerprint } from '../findings/fingerprint.js';
/**
 * The identity SARIF results carry: the declaration-based one baselines use, so that code-scanning
 * alerts survive a change of deployment context (another resource group or subscription
 * evaluates other names for the same declarations).
 */
export const fingerprint = baselineFingerprint;
import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding, Fix, Severity, TextEdit } from '../findings/finding.js';
import type { RuleMeta } from '../rules/rule-meta.js';
import type { Diagnostic } from '../load/diagnostic.js';
import type { SourceLocation } from '../load/source-file.js';
import type { ValueOrigin } from '../resources/resource.js';
import { sortDiagnostics, sortFindings } from './order.js';
import { wellFormed } from './visible.js';
import { coverageOf } from './coverage.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
/** Placeholder until the project has a public home. */
export const INFORMATION_URI = 'https://github.com/tollgate-dev/tollgate';
/**
 * Bump the suffix when the fingerprint's inputs change, so old and new alerts are not confused.
 * v1 hashed the evaluated resource type and name; v2 hashes the declaration (fingerprint.ts).
 */
export const FINGERPRINT_KEY = 'tollgate/v2';
const SRCROOT = '%SRCROOT%';

// GitHub code scanning reads this (0.1 to 10) to rank security alerts as critical/high/medium/low.
const SECURITY_SEVERITY: Record<Severity, string> = {
  critical: '9.0',
  high: '7.0',
  medium: '5.0',
  low: '3.0',
  informational: '1.0',
};

/**
 * SARIF 2.1.0 for GitHub code scanning, Azure DevOps and other viewers. URIs are relative to
 * %SRCROOT% (the scan's working directory) so results line up with the repository, whatever
 * machine ran the scan.
 */
export function formatSarif(result: ScanResult): string {
  return JSON.stringify(sarifLog(result), null, 2) + '\n';
}

export function sarifLog(result: ScanResult) {
  const ruleIndex = new Map(result.rules.map((r, i) => [r.id, i]));
  return {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'Tollgate',
            version: result.tool.version,
            semanticVersion: result.tool.version,
            informationUri: INFORMATION_URI,
            rules: result.rules.map(reportingDescriptor),
          },
        },
        invocations: [invocation(result.diagnostics)],
        originalUriBaseIds: { [SRCROOT]: { uri: directoryUri(result.cwd) } },
        // SourceFile counts columns in UTF-16 code units; saying so keeps viewers from guessing.
        columnKind: 'utf16CodeUnits',
        // Suppressed findings stay in the log, marked accepted, so code scanning shows them as dismissed.
        results: sortFindings([...result.findings, ...(result.suppressed ?? [])]).map((f) => sarifResult(f, ruleIndex.get(f.ruleId))),
        // What was not evaluated (the same object as --format json's `coverage`): a clean run says what it did not check.
        properties: { coverage: coverageOf(result), ...(result.shard && { shard: result.shard }) },
      },
    ],
  };
}

function reportingDescriptor(rule: RuleMeta) {
  return {
    id: rule.id,
    name: pascalCase(rule.title) || rule.id,
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: rule.recommendation, markdown: helpMarkdown(rule) },
    ...((rule.docsUrl ?? rule.helpUri) && { helpUri: rule.docsUrl ?? rule.helpUri }),
    defaultConfiguration: { level: rule.level },
    properties: {
      tags: unique(['security', rule.kind, ...(rule.pillar ? [rule.pillar] : [])]),
      'security-severity': SECURITY_SEVERITY[rule.severity],
      severity: rule.severity,
      ...(rule.effect && { effect: rule.effect }),
      equivalents: rule.equivalents,
    },
  };
}

function helpMarkdown(rule: RuleMeta): string {
  const links = [
    ...(rule.docsUrl ? [`[Rule documentation](${rule.docsUrl})`] : []),
    ...(rule.helpUri ? [rule.docsUrl ? `[The same check in ${otherTool(rule.helpUri)}](${rule.helpUri})` : `[More information](${rule.helpUri})`] : []),
  ];
  return links.length ? `${rule.recommendation}\n\n${links.join(' · ')}` : rule.recommendation;
}

/** Whose page a native rule's helpUri is: PSRule's for most (the rules began as their ports), else the site's host. */
function otherTool(uri: string): string {
  if (/azure\.github\.io\/PSRule/i.test(uri)) return 'PSRule for Azure';
  try {
    return new URL(uri).host;
  } catch {
    return 'another tool';
  }
}

function sarifResult(f: Finding, ruleIndex: number | undefined) {
  return {
    ruleId: f.ruleId,
    // A finding of a rule the run did not describe still carries its id; a wrong index would be worse.
    ...(ruleIndex !== undefined && { ruleIndex }),
    level: f.level,
    message: { text: f.message },
    locations: [
      {
        physicalLocation: physicalLocation(f.file, f.location),
        logicalLocations: [{ name: f.resource.name, fullyQualifiedName: f.resource.id, kind: 'resource', properties: { resourceType: f.resource.type } }],
      },
    ],
    ...(f.origins.length > 0 && { relatedLocations: f.origins.map(relatedLocation) }),
    partialFingerprints: { [FINGERPRINT_KEY]: fingerprint(f) },
    ...(f.fix && { fixes: [sarifFix(f.fix)] }),
    ...(f.suppression && {
      suppressions: [
        {
          kind: f.suppression.kind,
          status: 'accepted',
          justification: f.suppression.justification,
          ...(f.suppression.location && { location: { physicalLocation: physicalLocation(f.suppression.location.file, f.suppression.location) } }),
          ...(f.suppression.expires && { properties: { expires: f.suppression.expires } }),
        },
      ],
    }),
    properties: {
      resourceType: f.resource.type,
      resourceName: f.resource.name,
      ...(f.path && { propertyPath: f.path }),
      ...(f.effect && { effect: f.effect }),
      ...(f.parameterFile && { parameterFile: f.parameterFile }),
      ...(f.parameterFiles && { parameterFiles: f.parameterFiles }),
      ...(f.alsoReportedBy && { alsoReportedBy: f.alsoReportedBy }),
    },
  };
}

/**
 * A safe fix as SARIF's `fix`: one artifact change per file, each edit a replacement of a region (empty for an
 * insertion) by text. Code-scanning UIs that support fixes offer it; the others ignore it. A shared fix says
 * what else it changes, in its description and in `properties.sharedWith`.
 */
function sarifFix(fix: Fix) {
  const byFile = new Map<string, TextEdit[]>();
  for (const e of fix.edits) byFile.set(e.file, [...(byFile.get(e.file) ?? []), e]);
  const shared = fix.sharedWith?.length ? ` (also changes ${fix.sharedWith.join(', ')})` : '';
  return {
    description: { text: `${fix.description}${shared}` },
    artifactChanges: [...byFile].map(([file, edits]) => ({
      artifactLocation: artifactLocation(file),
      replacements: edits.map((e) => ({
        deletedRegion: { startLine: e.range.start.line, startColumn: e.range.start.column, endLine: e.range.end.line, endColumn: e.range.end.column },
        insertedContent: { text: e.newText },
      })),
    })),
    ...(fix.sharedWith?.length && { properties: { sharedWith: fix.sharedWith } }),
  };
}

function relatedLocation(origin: ValueOrigin, i: number) {
  return { id: i + 1, physicalLocation: physicalLocation(origin.location.file, origin.location), message: { text: origin.description } };
}

/**
 * What makes two findings "the same alert" across commits: rule, resource, property and the
 * scanned file. Line numbers are left out so an alert survives edits above it; the parameter
 * file is left out so one template defect is one alert, not one per environment.
 */
function invocation(diagnostics: Diagnostic[]) {
  return {
    executionSuccessful: !diagnostics.some((d) => d.severity === 'error'),
    toolExecutionNotifications: sortDiagnostics(diagnostics).map(notification),
  };
}

function notification(d: Diagnostic) {
  const file = d.location?.file ?? d.file;
  return {
    level: d.severity === 'info' ? 'note' : d.severity,
    message: { text: d.message },
    ...(file !== undefined && { locations: [{ physicalLocation: physicalLocation(file, d.location) }] }),
    descriptor: { id: d.code },
  };
}

function physicalLocation(file: string, location: SourceLocation | undefined) {
  return {
    artifactLocation: artifactLocation(location?.file ?? file),
    ...(location && { region: region(location) }),
  };
}

function region(location: SourceLocation) {
  // The type says `end` is always there; positions built by hand (exports, tests) may still lack it.
  const end = location.end as SourceLocation['end'] | undefined;
  return {
    startLine: location.start.line,
    startColumn: location.start.column,
    ...(end && { endLine: end.line, endColumn: end.column }),
  };
}

function artifactLocation(displayPath: string) {
  const slashed = displayPath.replace(/\\/g, '/');
  // A path outside the working tree given absolutely cannot be relative to %SRCROOT%.
  if (isAbsolute(slashed)) return { uri: pathToFileURL(displayPath).href };
  return { uri: relativeUri(slashed), uriBaseId: SRCROOT };
}

function isAbsolute(slashed: string): boolean {
  return slashed.startsWith('/') || /^[A-Za-z]:\//.test(slashed);
}

/**
 * A relative URI reference for a relative path. encodeURI handles spaces and non-ASCII but
 * leaves `?` and `#` (which would start a query or fragment) and `:` (which in the first
 * segment would read as a scheme), so those are escaped too.
 */
export function relativeUri(slashedPath: string): string {
  return encodeURI(wellFormed(slashedPath)).replace(/[?#:]/g, (ch) => `%${ch.charCodeAt(0).toString(16).toUpperCase()}`);
}

function directoryUri(dir: string): string {
  const href = pathToFileURL(dir).href;
  return href.endsWith('/') ? href : `${href}/`;
}

/** `API Management backends use HTTPS` -> `APIManagementBackendsUseHTTPS`: SARIF wants names as identifiers. */
function pascalCase(text: string): string {
  return text
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join('');
}

function unique(values: string[]): string[] {
  return [...new Set(values)];
}
