import type { ScanResult } from '../evaluate/scan-result.js';
import type { Finding } from '../findings/finding.js';
import type { RuleMeta } from '../rules/rule-meta.js';
import { formatLocation } from '../load/format-location.js';
import { controlsFor } from '../policy/compliance.js';
import type { InitiativeCompliance } from '../policy/control-compliance.js';
import { sortDiagnostics, sortFindings } from './order.js';
import { summarize } from './summary.js';
import { visible } from './visible.js';
import { coverageOf, type Coverage, type Group } from './coverage.js';
import { CANNOT_RUN, type RuleNotRun } from '../evaluate/rules-not-run.js';

/**
 * `--format html`: one self-contained page (no network: styles and script inline) for a
 * security reviewer: the summary by severity, compliance per framework control for the Azure
 * Policy definitions evaluated, and every finding per file with its source lines and the
 * origin of the offending value, filterable by severity, rule and file.
 */
export function formatHtml(result: ScanResult): string {
  const s = summarize(result);
  const findings = sortFindings(result.findings);
  const bySeverity = countBy(findings, (f) => f.severity);
  const files = [...new Set(findings.map((f) => f.file))];
  const rules = [...new Set(findings.map((f) => f.ruleId))].sort();
  const severities = ['critical', 'high', 'medium', 'low', 'informational'];
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tollgate report</title>
<style>${STYLE}</style>
</head>
<body>
<header>
  <h1>Tollgate report</h1>
  <p class="meta">${esc(`${result.tool.name} ${result.tool.version}`)} · ${s.files} files · ${s.resources} resources (${s.resourcesEvaluated} evaluated) · ${s.rules} rules · ${s.durationMs} ms</p>
</header>
<section id="summary" aria-label="Summary">
  <div class="verdict ${s.errors || s.inputErrors ? 'fail' : 'pass'}">${s.errors || s.inputErrors ? 'Fails' : 'Passes'}: ${s.errors} errors, ${s.warnings} warnings, ${s.notes} notes${s.inputErrors ? `, ${s.inputErrors} input errors` : ''}${s.suppressed ? `, ${s.suppressed} suppressed` : ''}${s.unknown ? `, ${s.unknown} checks undecided` : ''}</div>
  <table class="counts"><thead><tr>${severities.map((v) => `<th>${v}</th>`).join('')}</tr></thead>
  <tbody><tr>${severities.map((v) => `<td class="sev-${v}">${bySeverity.get(v) ?? 0}</td>`).join('')}</tr></tbody></table>
</section>
${coverageSection(coverageOf(result))}
${complianceSection(result)}
<section id="findings" aria-label="Findings">
  <h2>Findings</h2>
  <form class="filters" onsubmit="return false">
    <label>Severity <select id="filter-severity"><option value="">all</option>${severities.map((v) => `<option>${v}</option>`).join('')}</select></label>
    <label>Rule <select id="filter-rule"><option value="">all</option>${rules.map((r) => `<option>${esc(r)}</option>`).join('')}</select></label>
    <label>File <select id="filter-file"><option value="">all</option>${files.map((f) => `<option>${esc(f)}</option>`).join('')}</select></label>
    <output id="shown">${findings.length} shown</output>
  </form>
  ${
    findings.length
      ? files
          .map((file) =>
            fileSection(
              file,
              findings.filter((f) => f.file === file),
            ),
          )
          .join('\n')
      : '<p class="empty">No findings.</p>'
  }
</section>
${diagnosticsSection(result)}
<script>${SCRIPT}</script>
</body>
</html>
`;
}

/** What was not evaluated: counts, every definition that cannot run, then the groups and each item (folded). */
function coverageSection(c: Coverage): string {
  const r = c.resources;
  const groupTable = (heading: string, rows: Group[], byKey = false) => {
    if (!rows.length) return '';
    const body = rows.map((g) => `<tr><td>${byKey ? `<code>${esc(g.key)}</code>` : esc(g.description)}</td><td>${g.count}</td></tr>`).join('');
    return `<table class="coverage"><thead><tr><th>${heading}</th><th>Count</th></tr></thead><tbody>${body}</tbody></table>`;
  };
  const rule = (x: RuleNotRun) => `<code>${esc(x.id)}</code> ${esc(x.title)}: ${esc(x.detail)}${x.assignment ? ` (assignment ${esc(x.assignment)})` : ''}`;
  const where = (file: string, parameterFile?: string) => `<span class="loc">${esc(file)}</span>${parameterFile ? ` with ${esc(parameterFile)}` : ''}`;
  const resource = (type: string, name: string, code = true) => `${code ? `<code>${esc(type)}</code>` : type} <strong>${esc(name)}</strong>`;
  const cannot = c.items.rulesNotRun.filter((x) => CANNOT_RUN.has(x.reason));
  const items = [
    ...c.items.resourcesNotEvaluated.map((x) => `<li>not evaluated: ${resource(x.type, x.name)} in ${where(x.file, x.parameterFile)}</li>`),
    ...c.items.rulesNotRun.filter((x) => !CANNOT_RUN.has(x.reason)).map((x) => `<li>not run: ${rule(x)}</li>`),
    ...c.items.deploymentsNotFollowed.map(
      (d) => `<li>not followed: ${resource('deployment', d.deployment, false)} at ${where(formatLocation(d))}: ${esc(d.detail)}</li>`,
    ),
  ];
  const count = (key: string, n: number) => `<span data-count="${key}">${n}</span>`;
  const counts =
    `${r.found} resources found: ${count('evaluated', r.evaluated)} evaluated by at least one rule, ${count('undecided', r.undecided)} only undecided, ` +
    `${count('not-evaluated', r.notEvaluated)} that no rule applies to. ${c.checks.undecided} checks undecided; ` +
    `${c.rulesNotRun.count} rules not run (${c.rulesNotRun.cannotRun} cannot run); ${c.deploymentsNotFollowed.count} nested deployments not followed.`;
  return `<section id="coverage" aria-label="Coverage"><h2>Coverage</h2>
<p class="coverage-counts">${counts}</p>
${cannot.length ? `<h3>Definitions that cannot run</h3><ul class="cannot-run">${cannot.map((x) => `<li>${rule(x)}</li>`).join('')}</ul>` : ''}
${groupTable('Resource type no rule applies to', r.notEvaluatedByType, true)}
${groupTable('Why checks are undecided', c.checks.undecidedByReason)}
${groupTable('Why rules did not run', c.rulesNotRun.byReason)}
${groupTable('Why nested deployments were not followed', c.deploymentsNotFollowed.byReason)}
${items.length ? `<details><summary>Each item not evaluated (${items.length})</summary><ul>${items.join('')}</ul></details>` : ''}
</section>`;
}

function fileSection(file: string, findings: Finding[]): string {
  return `<section class="file" data-file="${esc(file)}"><h3>${esc(file)}</h3>
${findings.map(findingArticle).join('\n')}
</section>`;
}

function findingArticle(f: Finding): string {
  const where = f.location ? formatLocation({ location: f.location }) : f.file;
  const params = f.parameterFiles ?? (f.parameterFile ? [f.parameterFile] : []);
  return `<article class="finding" data-severity="${esc(f.severity)}" data-rule="${esc(f.ruleId)}" data-file="${esc(f.file)}">
  <p class="head"><span class="badge sev-${esc(f.severity)}">${esc(f.severity)}</span> <span class="level">${esc(f.level)}</span> <code>${esc(f.ruleId)}</code> ${esc(f.ruleTitle)}</p>
  <p class="msg">${esc(f.message)}</p>
  <p class="where">${esc(f.resource.type)} <strong>${esc(f.resource.name)}</strong> · <span class="loc">${esc(where)}</span>${params.length ? ` · parameters: ${params.map(esc).join(', ')}` : ''}</p>
  ${f.snippet ? snippet(f) : ''}
  ${f.origins.length ? `<ul class="origins">${f.origins.map((o) => `<li>value set at <span class="loc">${esc(formatLocation({ location: o.location }))}</span>: ${esc(o.description)}</li>`).join('')}</ul>` : ''}
</article>`;
}

function snippet(f: Finding): string {
  const s = f.snippet!;
  const from = f.location?.start.line ?? 0;
  const to = f.location?.end.line ?? 0;
  const rows = s.lines.map((text, i) => {
    const line = s.startLine + i;
    return `<tr class="${line >= from && line <= to ? 'hit' : ''}"><td class="ln">${line}</td><td><code>${esc(text)}</code></td></tr>`;
  });
  return `<table class="snippet">${rows.join('')}</table>`;
}

function complianceSection(result: ScanResult): string {
  if (result.compliance) return assignedComplianceSection(result.compliance);
  const policies = result.rules.filter((r) => r.kind === 'policy');
  if (!policies.length) return '';
  const rows: string[] = [];
  for (const rule of policies) {
    const status = policyStatus(rule, result);
    for (const c of controlsFor(rule.id)) {
      rows.push(
        `<tr><td>${esc(c.initiative)}</td><td><code>${esc(c.shortId)}</code>${c.category ? ` <span class="muted">${esc(c.category)}</span>` : ''}</td><td>${esc(rule.title)}</td><td class="status-${status}">${status}</td></tr>`,
      );
    }
  }
  if (!rows.length) return '';
  return `<section id="compliance" aria-label="Compliance"><h2>Compliance by control</h2>
<p class="muted">For each framework control that references an Azure Policy definition Tollgate evaluated: non-compliant when a resource fails it, unknown when a value it needs is only known at deployment.</p>
<table class="controls"><thead><tr><th>Framework</th><th>Control</th><th>Policy</th><th>Status</th></tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
}

/** With assigned initiatives: one table per initiative, a row per control, rolled up as Azure does. */
function assignedComplianceSection(list: readonly InitiativeCompliance[]): string {
  const tables = list.map((ic) => {
    const r = ic.resources;
    const rows = ic.controls.map((k) => {
      const n = k.resources;
      const state = k.state === 'not-available-offline' ? 'not available offline' : k.state;
      const note = k.unavailable.length ? ` <span class="muted">(+${k.unavailable.length} not available offline: ${esc(k.unavailable.join(', '))})</span>` : '';
      return `<tr><td><code>${esc(k.shortId)}</code>${k.category ? ` <span class="muted">${esc(k.category)}</span>` : ''}</td><td>${k.policies.map((p) => esc(p.title)).join('<br>')}${note}</td><td class="status-${state.replace(/ /g, '-')}">${esc(state)}</td><td>${n['non-compliant']}</td><td>${n.compliant}</td><td>${n.exempt}</td><td>${n.unknown}</td></tr>`;
    });
    for (const p of ic.ungrouped) {
      const n = p.resources;
      rows.push(
        `<tr><td><code>${esc(p.referenceId ?? p.ruleId)}</code></td><td>${esc(p.title)}</td><td class="status-${p.state}">${esc(p.state)}</td><td>${n['non-compliant']}</td><td>${n.compliant}</td><td>${n.exempt}</td><td>${n.unknown}</td></tr>`,
      );
    }
    const summary =
      ic.percent === undefined
        ? 'no resource in scope'
        : `${ic.percent}% compliant: ${r['non-compliant']} non-compliant, ${r.compliant} compliant, ${r.exempt} exempt, ${r.unknown} unknown resources`;
    return `<h3>${esc(ic.displayName)} <span class="muted">(assignment ${esc(ic.assignment)})</span></h3>
<p>${esc(summary)}. ${ic.evaluated} policies evaluated, ${ic.unavailable.length} not available offline.</p>
<table class="controls"><thead><tr><th>Control</th><th>Policies</th><th>Status</th><th>Non-compliant</th><th>Compliant</th><th>Exempt</th><th>Unknown</th></tr></thead><tbody>${rows.join('')}</tbody></table>`;
  });
  return `<section id="compliance" aria-label="Compliance"><h2>Compliance by control</h2>
<p class="muted">A resource judged by several policies of a control takes the state that ranks first: non-compliant, compliant, error, exempt, unknown (Azure's roll-up). Unknown: a value the policy needs is only known at deployment.</p>
${tables.join('\n')}</section>`;
}

function policyStatus(rule: RuleMeta, result: ScanResult): 'non-compliant' | 'unknown' | 'compliant' | 'not applicable' {
  const results = result.results.filter((r) => r.ruleId === rule.id);
  if (results.some((r) => r.outcome === 'fail')) return 'non-compliant';
  if (results.some((r) => r.outcome === 'unknown' || r.outcome === 'error')) return 'unknown';
  if (results.some((r) => r.outcome === 'pass')) return 'compliant';
  return 'not applicable';
}

function diagnosticsSection(result: ScanResult): string {
  const shown = sortDiagnostics(result.diagnostics.filter((d) => d.severity !== 'info'));
  if (!shown.length) return '';
  return `<section id="inputs" aria-label="Input problems"><h2>Input problems</h2><ul>${shown
    .map(
      (d) =>
        `<li class="diag-${esc(d.severity)}"><span class="loc">${esc(formatLocation(d))}</span> ${esc(d.severity)}: ${esc(d.message)} <code>${esc(d.code)}</code></li>`,
    )
    .join('')}</ul></section>`;
}

function countBy<T>(items: T[], key: (t: T) => string): Map<string, number> {
  const m = new Map<string, number>();
  for (const i of items) m.set(key(i), (m.get(key(i)) ?? 0) + 1);
  return m;
}

/**
 * Every string from the input goes through here: entity-escaped for text and quoted attribute
 * values alike, and control and bidi characters shown as escapes (a U+202E in a resource name
 * would reverse how the reviewer reads the rest of the line). Line feeds stay: HTML folds them.
 */
function esc(text: string): string {
  return visible(text, 'lf').replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,sans-serif;margin:0 auto;max-width:1100px;padding:0 16px 48px;color:#1b1f24}
h1{margin:24px 0 4px}h2{margin-top:32px;border-bottom:1px solid #ddd;padding-bottom:4px}h3{font-family:ui-monospace,monospace;font-size:14px;background:#f3f4f6;padding:6px 8px}
.meta,.muted{color:#57606a}.verdict{font-weight:600;padding:8px 12px;border-radius:6px;margin:12px 0}.verdict.fail{background:#ffebe9;color:#82071e}.verdict.pass{background:#dafbe1;color:#116329}
table{border-collapse:collapse}td,th{border:1px solid #d0d7de;padding:4px 8px;text-align:left}.counts td{text-align:center;font-weight:600}
.badge{display:inline-block;border-radius:10px;padding:0 8px;font-size:12px;color:#fff}.sev-critical{background:#8b0000;color:#fff}.sev-high{background:#cf222e;color:#fff}.sev-medium{background:#bf8700;color:#fff}.sev-low{background:#0969da;color:#fff}.sev-informational{background:#6e7781;color:#fff}
.finding{border:1px solid #d0d7de;border-radius:6px;padding:8px 12px;margin:8px 0}.finding[hidden]{display:none}.file[hidden]{display:none}.head{margin:0}.msg{margin:6px 0;font-weight:500}.where{margin:4px 0;color:#57606a}
.snippet{width:100%;font-size:12px;margin-top:6px}.snippet code{white-space:pre}.snippet td{border:none;padding:0 6px}.snippet .ln{color:#8c959f;text-align:right;width:3em;user-select:none}.snippet tr.hit{background:#fff8c5}
.origins{margin:6px 0 0;padding-left:20px;color:#57606a}.filters{display:flex;gap:16px;align-items:center;margin:8px 0 12px}.loc{font-family:ui-monospace,monospace}
.status-non-compliant{color:#82071e;font-weight:600}.status-compliant{color:#116329}.status-unknown{color:#9a6700}
`;

// Plain DOM code, no dependencies: hides the findings (and files) that do not match the filters.
const SCRIPT = `
(function () {
  var selects = ['severity', 'rule', 'file'].map(function (k) { return document.getElementById('filter-' + k); });
  function apply() {
    var want = selects.map(function (s) { return s.value; });
    var shown = 0;
    document.querySelectorAll('.finding').forEach(function (el) {
      var ok = (!want[0] || el.dataset.severity === want[0]) && (!want[1] || el.dataset.rule === want[1]) && (!want[2] || el.dataset.file === want[2]);
      el.hidden = !ok;
      if (ok) shown++;
    });
    document.querySelectorAll('section.file').forEach(function (sec) {
      sec.hidden = !sec.querySelector('.finding:not([hidden])');
    });
    document.getElementById('shown').textContent = shown + ' shown';
  }
  selects.forEach(function (s) { s.addEventListener('change', apply); });
})();
`;
