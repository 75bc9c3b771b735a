import path from 'node:path';
import { DEFAULT_DEPLOYMENT, expandTemplate } from '../../arm/template/expand.js';
import { classify } from '../../input/classify.js';
import { formatLocation } from '../../load/format-location.js';
import { EXIT } from '../exit-code.js';

/** `tollgate expand`: what the template deploys, as JSON; unknown values print as `<unknown: why>`. */
export function runExpand(templatePath: string, parametersPath: string | undefined): number {
  const cwd = process.cwd();
  const template = classify({ absPath: path.resolve(cwd, templatePath), explicit: true }, cwd);
  if (!template.ok || template.file.kind !== 'template') {
    const why = !template.ok && !template.skipped ? template.diagnostic : { message: 'not an ARM template', file: templatePath };
    process.stderr.write(`${formatLocation(why)}: error: ${why.message}\n`);
    return EXIT.inputErrors;
  }
  let parameterDoc;
  if (parametersPath) {
    const p = classify({ absPath: path.resolve(cwd, parametersPath), explicit: true }, cwd);
    if (!p.ok || p.file.kind !== 'parameters') {
      const why = !p.ok && !p.skipped ? p.diagnostic : { message: 'not a parameter file', file: parametersPath };
      process.stderr.write(`${formatLocation(why)}: error: ${why.message}\n`);
      return EXIT.inputErrors;
    }
    parameterDoc = p.file.document;
  }
  const expansion = expandTemplate(template.file.document, parameterDoc, { deployment: DEFAULT_DEPLOYMENT });
  for (const d of expansion.diagnostics) process.stderr.write(`${formatLocation(d)}: ${d.severity}: ${d.message} [${d.code}]\n`);
  const out = expansion.resources.map((r) => ({ id: r.id, type: r.type, name: r.name, ...(r.conditionUnknown && { conditionUnknown: r.conditionUnknown }), body: r.body }));
  process.stdout.write(JSON.stringify(out, null, 2) + '\n');
  return expansion.diagnostics.some((d) => d.severity === 'error') ? EXIT.inputErrors : EXIT.ok;
}
