/** API Management resource types the rules apply to. */
export const SERVICE = 'Microsoft.ApiManagement/service';
export const APIS = 'Microsoft.ApiManagement/service/apis';
export const PRODUCTS = 'Microsoft.ApiManagement/service/products';
export const NAMED_VALUES = 'Microsoft.ApiManagement/service/namedValues';

/** The gateway settings that live in `properties.customProperties`, keyed with dots. */
export const SECURITY = 'Microsoft.WindowsAzure.ApiManagement.Gateway.Security.';

/** A path to a customProperties key: the key contains dots, so it is a quoted segment. */
export function customPropertyPath(key: string): string {
  return `properties.customProperties['${SECURITY}${key}']`;
}
