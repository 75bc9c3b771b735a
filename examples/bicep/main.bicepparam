using './main.bicep'

param publisherEmail = 'platform@contoso.com'
param paymentsUrl = 'http://payments.contoso.com/api'
