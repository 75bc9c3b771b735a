import { childNode } from '../../load/json-document.js';
import type { TemplateScope } from './template-scope.js';

/** A parameter file that sets a parameter the template does not declare: ARM rejects it, say so. */
export function checkParameterFile(scope: TemplateScope): void {
  const params = scope.parameterFile && childNode(scope.parameterFile.root, 'parameters');
  if (!params || !scope.parameterFile) return;
  for (const prop of params.children ?? []) {
    const key = prop.children?.[0];
    if (!key) continue;
    if (!scope.parameterDeclaration(String(key.value))) {
      scope.diagnostics.push({
        severity: 'warning',
        code: 'unknown-parameter',
        message: `the parameter file sets '${String(key.value)}', which ${scope.template.file.path} does not declare`,
        file: scope.parameterFile.file.path,
        location: scope.parameterFile.file.locationOf(key.offset, key.length),
      });
    }
  }
}
