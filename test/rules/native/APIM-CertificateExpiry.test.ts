import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-CertificateExpiry.js';

const service = (hostnameConfigurations?: object[]) => ({
  type: 'Microsoft.ApiManagement/service',
  apiVersion: '2023-05-01-preview',
  name: 'svc',
  sku: { name: 'Premium', capacity: 1 },
  properties: { publisherEmail: 'a@b.c', publisherName: 'x', ...(hostnameConfigurations ? { hostnameConfigurations } : {}) },
});
const domains = service([
  { type: 'Proxy', hostName: 'api.contoso.com', certificate: { expiry: '2026-12-01T00:00:00Z' } },
  { type: 'Portal', hostName: 'portal.contoso.com', certificate: { expiry: '2027-12-01T00:00:00Z' } },
]);

new RuleTester().run('APIM-CertificateExpiry', rule, {
  valid: [{ name: 'both certificates have more than 30 days left', resource: domains, now: '2026-10-01T00:00:00Z' }],
  invalid: [
    {
      name: 'nine days left',
      resource: domains,
      now: '2026-11-22T00:00:00Z',
      errors: [{ path: 'properties.hostnameConfigurations[0].certificate.expiry', message: /api\.contoso\.com expires in 9 days \(minimum 30\)/ }],
    },
    {
      name: 'the minimum is an option',
      resource: domains,
      now: '2026-10-01T00:00:00Z',
      options: { days: 90 },
      errors: [{ message: /expires in 61 days \(minimum 90\)/ }],
    },
    { name: 'expired', resource: domains, now: '2027-01-01T00:00:00Z', errors: [{ message: /expired 31 days ago/ }] },
  ],
  notApplicable: [{ name: 'no custom domains', resource: service() }],
});
