import { PRODUCTS } from '../apim/types.js';
import { descriptors } from '../apim/service-shape.js';

export default descriptors('APIM-ProductDescriptors', 'Azure.APIM.ProductDescriptors', 'AZR-000049', PRODUCTS, 'product');
