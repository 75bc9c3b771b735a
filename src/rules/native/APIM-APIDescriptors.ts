import { APIS } from '../apim/types.js';
import { descriptors } from '../apim/service-shape.js';

export default descriptors('APIM-APIDescriptors', 'Azure.APIM.APIDescriptors', 'AZR-000043', APIS, 'API');
