import ciphers from './apim/ciphers.js';
import { defenderCloud } from './apim/defender.js';
import encryptValues from './apim/encrypt-values.js';
import httpBackend from './apim/http-backend.js';
import httpEndpoint from './apim/http-endpoint.js';
import managedIdentity from './apim/managed-identity.js';
import { productApproval, productSubscription, sampleProducts } from './apim/products.js';
import { availabilityZone, certificateExpiry, minApiVersion, productTerms } from './apim/lifecycle.js';
import { corsPolicy, policyBase } from './apim/policy-rules.js';
import protocols from './apim/protocols.js';
import { apiDescriptors, consumptionClientCertificate, multiRegion, multiRegionGateway, productDescriptors, publicNetworkAccess, serviceName } from './apim/service-shape.js';
import type { Rule } from './rule.js';

/** Every native rule, in the order they are listed. */
export const NATIVE_RULES: readonly Rule[] = [httpBackend, httpEndpoint, protocols, ciphers, managedIdentity, encryptValues, productSubscription, productApproval, sampleProducts, serviceName, multiRegion, multiRegionGateway, apiDescriptors, productDescriptors, publicNetworkAccess, consumptionClientCertificate, minApiVersion, certificateExpiry, availabilityZone, productTerms, corsPolicy, policyBase, defenderCloud];
