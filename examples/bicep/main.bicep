// The non-compliant example of examples/noncompliant/ written in Bicep: Tollgate reads it
// directly (no Bicep CLI) and reports the same findings at these lines.
metadata description = 'An API Management instance with two backends and an API. It breaks both seed checks on purpose.'

param serviceName string = 'apim-${uniqueString(resourceGroup().id)}'
param location string = resourceGroup().location
param publisherEmail string

@description('Where the payments backend lives; set per environment.')
param paymentsUrl string

param legacyServiceUrl string = 'HTTP://legacy.contoso.internal/orders'
param validateCertificates bool = false

var skuName = 'Developer'

resource apim 'Microsoft.ApiManagement/service@2023-05-01-preview' = {
  name: serviceName
  location: location
  sku: {
    name: skuName
    capacity: 1
  }
  properties: {
    publisherEmail: publisherEmail
    publisherName: 'Contoso'
  }

  resource payments 'backends' = {
    name: 'payments'
    properties: {
      title: 'payments'
      protocol: 'http'
      url: paymentsUrl
      tls: {
        validateCertificateChain: validateCertificates
        validateCertificateName: true
      }
    }
  }
}

resource orders 'Microsoft.ApiManagement/service/apis@2023-05-01-preview' = {
  parent: apim
  name: 'orders'
  properties: {
    displayName: 'Orders'
    path: 'orders'
    protocols: ['https']
    serviceUrl: legacyServiceUrl
  }
}

resource inventory 'Microsoft.ApiManagement/service/backends@2023-05-01-preview' = {
  parent: apim
  name: 'inventory'
  properties: {
    protocol: 'http'
    url: 'https://inventory.contoso.com/api'
    tls: {
      validateCertificateChain: true
      validateCertificateName: false
    }
  }
}
