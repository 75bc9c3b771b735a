import { mustBeTrue } from '../apim/products.js';

export default mustBeTrue(
  'APIM-ProductSubscription',
  'Azure.APIM.ProductSubscription',
  'AZR-000046',
  'subscriptionRequired',
  'API Management products require a subscription',
  'A product without a subscription requirement lets anyone call its APIs without a key: no identity, no quota, no way to revoke one caller.',
  'Set `properties.subscriptionRequired` of every `Microsoft.ApiManagement/service/products` to `true`.',
);
