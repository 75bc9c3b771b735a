/** The syntax tree of an ARM template expression (the text between `[` and `]`). */
export type Expr =
  | { kind: 'string'; value: string; start: number; end: number }
  | { kind: 'number'; value: number; start: number; end: number }
  | { kind: 'literal'; value: boolean | null; start: number; end: number }
  | { kind: 'call'; name: string; args: Expr[]; start: number; end: number }
  | { kind: 'property'; object: Expr; name: string; start: number; end: number }
  | { kind: 'index'; object: Expr; index: Expr; start: number; end: number };
