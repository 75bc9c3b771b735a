import { getProperty, isObject, type Value } from '../resources/value.js';
import { parameterValues, policyBody, PolicyDefinitionError, readParameters, type PolicyParameter } from './definition.js';

/** One `policyDefinitions[]` entry of an initiative. */
export interface InitiativeReference {
  referenceId: string;
  /** As written: `/providers/Microsoft.Authorization/policyDefinitions/<guid>` or a custom definition's id. */
  definitionId: string;
  /** The last segment of the id: the definition's name. */
  definitionName: string;
  definitionVersion?: string;
  /** Parameter name -> value as written (may be `[parameters('x')]` over the initiative's parameters). */
  parameters: Record<string, Value>;
  groupNames: string[];
}

export interface InitiativeGroup {
  name: string;
  displayName?: string;
  category?: string;
  description?: string;
}

/** A policy set definition (initiative), read case-insensitively, in the envelope or bare shape. */
export interface Initiative {
  name: string;
  displayName: string;
  description: string;
  version?: string;
  parameters: PolicyParameter[];
  references: InitiativeReference[];
  /** `policyDefinitionGroups`, keyed by lower-case name. */
  groups: Map<string, InitiativeGroup>;
  file?: string;
}

/** Is this JSON an initiative (it has `policyDefinitions`) rather than a definition or an assignment? */
export function looksLikeInitiative(json: Value): boolean {
  const body = policyBody(json);
  return isObject(body) && Array.isArray(getProperty(body, 'policyDefinitions'));
}

export function readInitiative(json: Value, file?: string): Initiative {
  if (!isObject(json)) throw new PolicyDefinitionError('an initiative must be a JSON object');
  const body = policyBody(json);
  const refs = getProperty(body, 'policyDefinitions');
  if (!Array.isArray(refs)) throw new PolicyDefinitionError('an initiative needs a policyDefinitions list');
  const references = refs.map((ref, i) => {
    const definitionId = str(getProperty(ref, 'policyDefinitionId'));
    if (!definitionId) throw new PolicyDefinitionError(`policyDefinitions[${i}] has no policyDefinitionId`);
    const parameters = parameterValues(getProperty(ref, 'parameters'));
    const groupNames = getProperty(ref, 'groupNames');
    const definitionName = definitionId.split('/').pop()!;
    return {
      referenceId: str(getProperty(ref, 'policyDefinitionReferenceId')) ?? definitionName,
      definitionId,
      definitionName,
      definitionVersion: str(getProperty(ref, 'definitionVersion')),
      parameters,
      groupNames: Array.isArray(groupNames) ? groupNames.filter((g): g is string => typeof g === 'string') : [],
    };
  });
  const groups = new Map<string, InitiativeGroup>();
  const groupList = getProperty(body, 'policyDefinitionGroups');
  for (const g of Array.isArray(groupList) ? groupList : []) {
    const name = str(getProperty(g, 'name'));
    if (name)
      groups.set(name.toLowerCase(), {
        name,
        displayName: str(getProperty(g, 'displayName')),
        category: str(getProperty(g, 'category')),
        description: str(getProperty(g, 'description')),
      });
  }
  const name = str(getProperty(json, 'name')) ?? str(getProperty(json, 'id'))?.split('/').pop() ?? file ?? 'initiative';
  return {
    name,
    displayName: str(getProperty(body, 'displayName')) ?? name,
    description: str(getProperty(body, 'description')) ?? '',
    version: str(getProperty(body, 'version')),
    parameters: readParameters(getProperty(body, 'parameters')),
    references,
    groups,
    file,
  };
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
