// `tollgate/testing`: what rule authors (native rules and plugins) test their rules with.
export {
  RuleTester,
  checkCase,
  runShape,
  type ExpectedFinding,
  type InvalidTestCase,
  type RuleTestCase,
  type RuleTestCases,
  type ShapeRun,
} from './rule-tester.js';
export { armTemplate, bicepFile, exportFile, type ResourceInput, type Shape } from './shapes.js';
export { defineRule, type RuleSpec, type RuleContext } from '../rules/define-rule.js';
