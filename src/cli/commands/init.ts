import { existsSync } from 'node:fs';
import path from 'node:path';
import { EXIT } from '../exit-code.js';
import { writeOrSay } from '../write-output.js';

/** The starter configuration: every key present or shown in a comment, with what it does. */
export const STARTER_CONFIG = `# Tollgate configuration. Reference: docs/configuration.md. Schema (for editor completion):
# yaml-language-server: $schema=./node_modules/tollgate/schema/tollgate.schema.json

# Which files to scan inside folders (.gitignore-style patterns; files named on the command line are always scanned).
# include: [infra/]
exclude:
  - node_modules/
  - "**/bin/"

# Where the templates deploy: what resourceGroup(), subscription() and resourceId() return.
deployment:
  resourceGroup: rg-example
  location: westeurope
  # subscriptionId: 00000000-0000-0000-0000-000000000000
  # environment: AzureCloud        # AzureCloud, AzureUSGovernment or AzureChinaCloud
  # now: 2026-01-01T00:00:00Z      # clock for utcNow(); without it utcNow() is unknown

# Values for required parameters that have no value, by template pattern.
# parameters:
#   - files: infra/
#     values:
#       publisherEmail: apim-team@example.com

# Per rule: by id, policy definition id or display name, or an equivalent id (e.g. Azure.APIM.HTTPBackend).
# rules:
#   APIM-HTTPBackend:
#     level: error                 # error fails the run; warning and note do not
#   92bb331d-ac71-416a-8c91-02f2cb734ce4:
#     effect: Deny                 # Azure Policy: one of the definition's allowed effects

# Accepted risks: a reason is mandatory; an expiry date is recommended.
# suppressions:
#   - rule: APIM-HTTPBackend
#     reason: partner endpoint is HTTP-only until its migration
#     expires: 2027-03-31
#     resourceName: "apim-*/partner-*"

# Azure Policy to evaluate instead of the shipped definitions (paths relative to this file).
# policy:
#   initiatives: [mcsb]            # shipped: mcsb, nz-ism, nl-bio, alz-apim; or a file
#   definitions: [policies/]
#   assignments: [policies/assignments/prod.json]
#   exemptions: [policies/exemptions/]

# The lowest finding level that fails the run: error (default), warning, note or never.
failOn: error

# Reports written when the command line names none (files relative to this file).
# output:
#   formats: [pretty, sarif]
#   files:
#     sarif: reports/tollgate.sarif
`;

/** `tollgate init`: writes a commented starter tollgate.yaml; never overwrites one without --force. */
export function runInit(options: { force?: boolean }, cwd = process.cwd()): number {
  const file = path.join(cwd, 'tollgate.yaml');
  if (existsSync(file) && !options.force) {
    process.stderr.write('tollgate: tollgate.yaml already exists (use --force to replace it)\n');
    return EXIT.usage;
  }
  if (!writeOrSay(file, STARTER_CONFIG)) return EXIT.usage;
  process.stdout.write('wrote tollgate.yaml: edit it, then run `tollgate scan`\n');
  return EXIT.ok;
}
