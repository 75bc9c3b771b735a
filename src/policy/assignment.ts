import { getProperty, isObject, type Value } from '../resources/value.js';
import { parameterValues, policyBody, PolicyDefinitionError } from './definition.js';

/** `in` / `notIn` over one kind of value, as assignment selectors write them. */
export interface Selector {
  kind: string;
  in?: string[];
  notIn?: string[];
}

export interface AssignmentOverride {
  kind: 'policyEffect' | 'definitionVersion' | string;
  value: string;
  selectors: Selector[];
}

export interface NonComplianceMessage {
  message: string;
  policyDefinitionReferenceId?: string;
}

/** A policy assignment: which definition or initiative, with which parameters, where. */
export interface Assignment {
  name: string;
  displayName: string;
  /** The id of the assigned definition or initiative, as written. */
  policyDefinitionId: string;
  /** The last segment of that id. */
  targetName: string;
  /** True when the id names a policySetDefinition (an initiative). */
  targetIsInitiative: boolean;
  /** The version of the assigned definition or initiative to use (`1.*.*`); none = the latest. */
  definitionVersion?: string;
  parameters: Record<string, Value>;
  enforcementMode: 'Default' | 'DoNotEnforce';
  notScopes: string[];
  overrides: AssignmentOverride[];
  resourceSelectors: { name: string; selectors: Selector[] }[];
  nonComplianceMessages: NonComplianceMessage[];
  file?: string;
}

export interface Exemption {
  name: string;
  displayName: string;
  description?: string;
  /** The assignment it exempts from, by id (its last segment is matched against assignment names). */
  policyAssignmentId: string;
  assignmentName: string;
  /** Only these references of an initiative assignment; none = every reference. */
  policyDefinitionReferenceIds: string[];
  category: 'Waiver' | 'Mitigated';
  /** ISO date-time; after it the exemption no longer applies. */
  expiresOn?: string;
  /** The scope it was created at: a resource, resource group or subscription id; none = everything scanned. */
  scope?: string;
  resourceSelectors: { name: string; selectors: Selector[] }[];
  file?: string;
}

export function looksLikeAssignment(json: Value): boolean {
  const body = policyBody(json);
  return isObject(body) && typeof getProperty(body, 'policyDefinitionId') === 'string' && getProperty(body, 'policyAssignmentId') === undefined;
}

export function looksLikeExemption(json: Value): boolean {
  const body = policyBody(json);
  return isObject(body) && typeof getProperty(body, 'policyAssignmentId') === 'string';
}

export function readAssignment(json: Value, file?: string): Assignment {
  if (!isObject(json)) throw new PolicyDefinitionError('a policy assignment must be a JSON object');
  const body = policyBody(json);
  const policyDefinitionId = str(getProperty(body, 'policyDefinitionId'));
  if (!policyDefinitionId) throw new PolicyDefinitionError('a policy assignment needs a policyDefinitionId');
  const mode = str(getProperty(body, 'enforcementMode')) ?? 'Default';
  if (!/^(default|donotenforce)$/i.test(mode)) throw new PolicyDefinitionError(`enforcementMode '${mode}' is neither Default nor DoNotEnforce`);
  const parameters = parameterValues(getProperty(body, 'parameters'));
  const overrides = list(getProperty(body, 'overrides')).map((o, i) => {
    const kind = str(getProperty(o, 'kind'));
    const value = str(getProperty(o, 'value'));
    if (!kind || value === undefined) throw new PolicyDefinitionError(`overrides[${i}] needs a kind and a value`);
    return { kind, value, selectors: selectors(getProperty(o, 'selectors'), `overrides[${i}]`) };
  });
  const name = str(getProperty(json, 'name')) ?? str(getProperty(json, 'id'))?.split('/').pop() ?? file ?? 'assignment';
  return {
    name,
    displayName: str(getProperty(body, 'displayName')) ?? name,
    policyDefinitionId,
    targetName: policyDefinitionId.split('/').pop()!,
    targetIsInitiative: /\/policySetDefinitions\//i.test(policyDefinitionId),
    ...(str(getProperty(body, 'definitionVersion')) ? { definitionVersion: str(getProperty(body, 'definitionVersion')) } : {}),
    parameters,
    enforcementMode: mode.toLowerCase() === 'donotenforce' ? 'DoNotEnforce' : 'Default',
    notScopes: list(getProperty(body, 'notScopes')).filter((s): s is string => typeof s === 'string'),
    overrides,
    resourceSelectors: resourceSelectors(getProperty(body, 'resourceSelectors')),
    nonComplianceMessages: list(getProperty(body, 'nonComplianceMessages')).flatMap((m) => {
      const message = str(getProperty(m, 'message'));
      const ref = str(getProperty(m, 'policyDefinitionReferenceId'));
      return message ? [{ message, ...(ref ? { policyDefinitionReferenceId: ref } : {}) }] : [];
    }),
    file,
  };
}

export function readExemption(json: Value, file?: string): Exemption {
  if (!isObject(json)) throw new PolicyDefinitionError('a policy exemption must be a JSON object');
  const body = policyBody(json);
  const policyAssignmentId = str(getProperty(body, 'policyAssignmentId'));
  if (!policyAssignmentId) throw new PolicyDefinitionError('a policy exemption needs a policyAssignmentId');
  const category = str(getProperty(body, 'exemptionCategory'));
  if (!category || !/^(waiver|mitigated)$/i.test(category))
    throw new PolicyDefinitionError(`exemptionCategory must be Waiver or Mitigated, not ${category === undefined ? 'missing' : `'${category}'`}`);
  const expiresOn = str(getProperty(body, 'expiresOn'));
  if (expiresOn !== undefined && Number.isNaN(Date.parse(expiresOn))) throw new PolicyDefinitionError(`expiresOn '${expiresOn}' is not a date`);
  const id = str(getProperty(json, 'id'));
  // An exemption's id is `<scope>/providers/Microsoft.Authorization/policyExemptions/<name>`.
  const scope =
    str(getProperty(body, 'scope')) ?? str(getProperty(json, 'scope')) ?? id?.replace(/\/providers\/Microsoft\.Authorization\/policyExemptions\/[^/]+$/i, '');
  const name = str(getProperty(json, 'name')) ?? id?.split('/').pop() ?? file ?? 'exemption';
  return {
    name,
    displayName: str(getProperty(body, 'displayName')) ?? name,
    description: str(getProperty(body, 'description')),
    policyAssignmentId,
    assignmentName: policyAssignmentId.split('/').pop()!,
    policyDefinitionReferenceIds: list(getProperty(body, 'policyDefinitionReferenceIds')).filter((s): s is string => typeof s === 'string'),
    category: category.toLowerCase() === 'waiver' ? 'Waiver' : 'Mitigated',
    ...(expiresOn ? { expiresOn } : {}),
    ...(scope && scope !== id ? { scope } : {}),
    resourceSelectors: resourceSelectors(getProperty(body, 'resourceSelectors')),
    file,
  };
}

/** What selectors look at: the resource's type, location and id, and the initiative reference. */
export interface SelectorFacts {
  type: string;
  location?: string;
  id?: string;
  referenceId?: string;
}

/** Does a resource match a selector list (every selector), as resource selectors define it? */
export function selectorsMatch(selectorList: readonly Selector[], facts: SelectorFacts): boolean {
  return selectorList.every((s) => {
    const kind = s.kind.toLowerCase();
    const has = (values: string[] | undefined, v: string | undefined) => values?.some((x) => x.toLowerCase() === (v ?? '').toLowerCase()) ?? false;
    let value: string | undefined;
    if (kind === 'resourcetype') value = facts.type;
    else if (kind === 'resourcelocation') {
      // A resource without a location has none to select by: neither `in` nor `notIn` takes it.
      if (!facts.location) return false;
      value = facts.location.replace(/\s+/g, '').toLowerCase();
    } else if (kind === 'policydefinitionreferenceid') value = facts.referenceId;
    // Azure's only value: resources at subscription level that have no location.
    else if (kind === 'resourcewithoutlocation')
      value = !facts.location && facts.id !== undefined && !/\/resourcegroups\//i.test(facts.id) ? 'subscriptionLevelResources' : '';
    else return false;
    if (s.in) return has(s.in, value);
    if (s.notIn) return !has(s.notIn, value);
    return true;
  });
}

/** Resource selectors: with none the assignment covers every resource; with some, a resource must match one of them. */
export function resourceSelected(list: Assignment['resourceSelectors'], facts: SelectorFacts): boolean {
  return list.length === 0 || list.some((r) => selectorsMatch(r.selectors, facts));
}

function resourceSelectors(v: Value | undefined): { name: string; selectors: Selector[] }[] {
  return list(v).map((r, i) => ({
    name: str(getProperty(r, 'name')) ?? `resourceSelectors[${i}]`,
    selectors: selectors(getProperty(r, 'selectors'), `resourceSelectors[${i}]`),
  }));
}

function selectors(v: Value | undefined, where: string): Selector[] {
  return list(v).map((s, i) => {
    const kind = str(getProperty(s, 'kind'));
    if (!kind) throw new PolicyDefinitionError(`${where}.selectors[${i}] has no kind`);
    const inList = getProperty(s, 'in');
    const notIn = getProperty(s, 'notIn');
    if (inList !== undefined && notIn !== undefined) throw new PolicyDefinitionError(`${where}.selectors[${i}] has both in and notIn`);
    const strings = (x: Value | undefined) => (Array.isArray(x) ? x.filter((y): y is string => typeof y === 'string') : undefined);
    return { kind, ...(inList !== undefined ? { in: strings(inList) ?? [] } : {}), ...(notIn !== undefined ? { notIn: strings(notIn) ?? [] } : {}) };
  });
}

function list(v: Value | undefined): Value[] {
  return Array.isArray(v) ? v : [];
}

function str(v: Value | undefined): string | undefined {
  return typeof v === 'string' ? v : undefined;
}
