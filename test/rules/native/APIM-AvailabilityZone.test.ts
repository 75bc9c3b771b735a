import { RuleTester } from '../../../src/testing/index.js';
import rule from '../../../src/rules/native/APIM-AvailabilityZone.js';

new RuleTester().run('APIM-AvailabilityZone', rule, {
  valid: [
    {
      name: 'Premium over 2 zones with 2 units',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 2 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        location: 'westeurope',
        zones: ['1', '2'],
      },
    },
    {
      name: 'a region without zones',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        location: 'westcentralus',
      },
    },
  ],
  invalid: [
    {
      name: 'Premium without zones in a zonal region',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        location: 'West Europe',
      },
      errors: [{ message: /uses 0 availability zones/ }],
    },
    {
      name: 'fewer units than zones',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 2 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
        location: 'westeurope',
        zones: ['1', '2', '3'],
      },
      errors: [{ message: /2 units for 3 zones/ }],
    },
    {
      name: 'Developer tier',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Developer', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x' },
      },
      errors: [{ message: /only Premium supports availability zones/ }],
    },
    {
      name: 'an additional location without zones',
      resource: {
        type: 'Microsoft.ApiManagement/service',
        apiVersion: '2023-05-01-preview',
        name: 'svc',
        sku: { name: 'Premium', capacity: 1 },
        properties: { publisherEmail: 'a@b.c', publisherName: 'x', additionalLocations: [{ location: 'northeurope', sku: { name: 'Premium', capacity: 1 } }] },
        location: 'westcentralus',
      },
      errors: [{ message: /Additional location 0 in northeurope/ }],
    },
  ],
});
