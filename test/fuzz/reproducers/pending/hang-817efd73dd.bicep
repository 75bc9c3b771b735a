    }
  }
]

output policyId string = storageAccount_objectReplicationPolicy.properties.policyId
output ruleIds string[] = map(storageAccount_objectReplicationPolicy.properties.rules, rule => rule.ruleId)
output fromFor string = storageA( ]ccount_objectReplicationPolicyItems[0].properties.sourceAccount
