import type { Token } from './lexer.js';

/**
 * The concrete syntax tree. Node kinds and the order of children follow the official
 * compiler's tree (its `*.syntax.bicep` dumps are the test oracle), so every token of the file
 * belongs to exactly one node and error recovery can be compared place by place. Named fields
 * give the lowering direct access to the parts it needs.
 */
export type Child = SyntaxNode | Token;

export interface SyntaxNode {
  readonly kind: string;
  start: number;
  end: number;
  readonly children: Child[];
}

export const isToken = (c: Child | undefined): c is Token => c !== undefined && !('children' in c);

export interface Identifier extends SyntaxNode {
  kind: 'IdentifierSyntax';
  name: string;
}

export interface StringNode extends SyntaxNode {
  kind: 'StringSyntax';
  /** The literal parts (one more than `holes`), escapes applied. */
  segments: string[];
  holes: Expr[];
}

export interface IntegerNode extends SyntaxNode {
  kind: 'IntegerLiteralSyntax';
  text: string;
}
export interface BooleanNode extends SyntaxNode {
  kind: 'BooleanLiteralSyntax';
  value: boolean;
}
export interface NullNode extends SyntaxNode {
  kind: 'NullLiteralSyntax';
}
export interface VariableAccess extends SyntaxNode {
  kind: 'VariableAccessSyntax';
  name: string;
}
export interface FunctionCall extends SyntaxNode {
  kind: 'FunctionCallSyntax';
  name: string;
  args: Expr[];
}
export interface InstanceFunctionCall extends SyntaxNode {
  kind: 'InstanceFunctionCallSyntax';
  base: Expr;
  name: string;
  args: Expr[];
}
export interface PropertyAccess extends SyntaxNode {
  kind: 'PropertyAccessSyntax';
  base: Expr;
  name: string;
  safe: boolean;
}
export interface ArrayAccess extends SyntaxNode {
  kind: 'ArrayAccessSyntax';
  base: Expr;
  index: Expr;
  safe: boolean;
  fromEnd: boolean;
}
export interface ResourceAccess extends SyntaxNode {
  kind: 'ResourceAccessSyntax';
  base: Expr;
  name: string;
}
export interface NonNullAssertion extends SyntaxNode {
  kind: 'NonNullAssertionSyntax';
  base: Expr;
}
export interface UnaryOperation extends SyntaxNode {
  kind: 'UnaryOperationSyntax';
  operator: string;
  operand: Expr;
}
export interface BinaryOperation extends SyntaxNode {
  kind: 'BinaryOperationSyntax';
  operator: string;
  left: Expr;
  right: Expr;
}
export interface TernaryOperation extends SyntaxNode {
  kind: 'TernaryOperationSyntax';
  condition: Expr;
  whenTrue: Expr;
  whenFalse: Expr;
}
export interface Parenthesized extends SyntaxNode {
  kind: 'ParenthesizedExpressionSyntax';
  inner: Expr;
}
export interface Lambda extends SyntaxNode {
  kind: 'LambdaSyntax';
  parameters: string[];
  body: Expr;
}
export interface ObjectProperty extends SyntaxNode {
  kind: 'ObjectPropertySyntax';
  key: string | undefined;
  keyNode: SyntaxNode;
  value: Expr;
}
export interface Spread extends SyntaxNode {
  kind: 'SpreadExpressionSyntax';
  value: Expr;
}
export interface ObjectNode extends SyntaxNode {
  kind: 'ObjectSyntax';
  properties: (ObjectProperty | Spread)[];
  /** Child resources declared in a resource body. */
  resources: ResourceDeclaration[];
}
export interface ArrayItem extends SyntaxNode {
  kind: 'ArrayItemSyntax';
  value: Expr;
}
export interface ArrayNode extends SyntaxNode {
  kind: 'ArraySyntax';
  items: (ArrayItem | Spread)[];
}
export interface ForNode extends SyntaxNode {
  kind: 'ForSyntax';
  item: string | undefined;
  index: string | undefined;
  iterable: Expr;
  body: Expr | IfCondition;
}
export interface IfCondition extends SyntaxNode {
  kind: 'IfConditionSyntax';
  condition: Expr;
  body: Expr;
}
export interface Skipped extends SyntaxNode {
  kind: 'SkippedTriviaSyntax';
}

export type Expr =
  | StringNode
  | IntegerNode
  | BooleanNode
  | NullNode
  | VariableAccess
  | FunctionCall
  | InstanceFunctionCall
  | PropertyAccess
  | ArrayAccess
  | ResourceAccess
  | NonNullAssertion
  | UnaryOperation
  | BinaryOperation
  | TernaryOperation
  | Parenthesized
  | Lambda
  | ObjectNode
  | ArrayNode
  | ForNode
  | Skipped
  | TypedLambda
  | IfCondition;

export interface Decorator extends SyntaxNode {
  kind: 'DecoratorSyntax';
  call: Expr;
}

/** Type expressions are kept as syntax (kinds as the compiler names them); lowering reads what it needs. */
export type TypeNode = SyntaxNode;

export interface TypedLambda extends SyntaxNode {
  kind: 'TypedLambdaSyntax';
  parameters: { name: string; type: TypeNode }[];
  returnType: TypeNode;
  body: Expr;
}

export interface Declaration extends SyntaxNode {
  decorators: Decorator[];
}
export interface ParameterDeclaration extends Declaration {
  kind: 'ParameterDeclarationSyntax';
  name: string;
  nameNode: Identifier;
  type: TypeNode | undefined;
  defaultValue: Expr | undefined;
}
export interface VariableDeclaration extends Declaration {
  kind: 'VariableDeclarationSyntax';
  name: string;
  nameNode: Identifier;
  type: TypeNode | undefined;
  value: Expr;
}
export interface ResourceDeclaration extends Declaration {
  kind: 'ResourceDeclarationSyntax';
  name: string;
  nameNode: Identifier;
  /** Undefined when the declaration has none (a syntax error, reported by the parser). */
  typeString: StringNode | undefined;
  existing: boolean;
  value: Expr;
}
/** `path` is undefined when the declaration has none (a syntax error, reported by the parser). */
export interface ModuleDeclaration extends Declaration {
  kind: 'ModuleDeclarationSyntax';
  name: string;
  nameNode: Identifier;
  path: StringNode | undefined;
  value: Expr;
}
export interface OutputDeclaration extends Declaration {
  kind: 'OutputDeclarationSyntax';
  name: string;
  nameNode: Identifier;
  type: TypeNode | undefined;
  resourceType: StringNode | undefined;
  value: Expr;
}
export interface TypeDeclaration extends Declaration {
  kind: 'TypeDeclarationSyntax';
  name: string;
  value: TypeNode;
}
export interface FunctionDeclaration extends Declaration {
  kind: 'FunctionDeclarationSyntax';
  name: string;
  lambda: TypedLambda | undefined;
}
export interface TargetScope extends Declaration {
  kind: 'TargetScopeSyntax';
  value: Expr;
}
export interface MetadataDeclaration extends Declaration {
  kind: 'MetadataDeclarationSyntax';
  name: string;
  value: Expr;
}
export interface ImportDeclaration extends Declaration {
  kind: 'CompileTimeImportDeclarationSyntax';
  /** Imported symbols with their local names; undefined for `import * as alias`. */
  symbols: { name: string; alias: string }[] | undefined;
  wildcardAlias: string | undefined;
  from: StringNode | undefined;
}
export interface ExtensionDeclaration extends Declaration {
  kind: 'ExtensionDeclarationSyntax';
}
export interface UsingDeclaration extends Declaration {
  kind: 'UsingDeclarationSyntax';
  path: StringNode | undefined;
}
export interface ExtendsDeclaration extends Declaration {
  kind: 'ExtendsDeclarationSyntax';
  path: StringNode | undefined;
}
export interface ParameterAssignment extends Declaration {
  kind: 'ParameterAssignmentSyntax';
  name: string;
  value: Expr;
}
export interface OtherDeclaration extends Declaration {
  kind: 'TestDeclarationSyntax' | 'AssertDeclarationSyntax' | 'MissingDeclarationSyntax';
}

export type Statement =
  | ParameterDeclaration
  | VariableDeclaration
  | ResourceDeclaration
  | ModuleDeclaration
  | OutputDeclaration
  | TypeDeclaration
  | FunctionDeclaration
  | TargetScope
  | MetadataDeclaration
  | ImportDeclaration
  | ExtensionDeclaration
  | UsingDeclaration
  | ExtendsDeclaration
  | ParameterAssignment
  | OtherDeclaration;

export interface Program extends SyntaxNode {
  kind: 'ProgramSyntax';
  statements: Statement[];
}
