import { mustBeTrue } from '../apim/products.js';

export default mustBeTrue(
  'APIM-ProductApproval',
  'Azure.APIM.ProductApproval',
  'AZR-000047',
  'approvalRequired',
  'API Management product subscriptions need approval',
  'Without approval, any developer-portal user can subscribe to a product and start calling its APIs.',
  'Set `properties.approvalRequired` of every `Microsoft.ApiManagement/service/products` to `true`.',
);
