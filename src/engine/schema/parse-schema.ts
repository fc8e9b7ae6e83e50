// parseSchema reads SpiceDB schema text into a SchemaModel. It follows SpiceDB's own grammar
// (pkg/schemadsl): `use` flags, caveats (bodies skipped: CEL is the engine's business),
// definitions with `relation name: type | type#rel | type:* | type with caveat and expiration`
// and `permission name = expr`, where expr has arrows (`a->b`, `a.any(b)`, `a.all(b)`), `nil`,
// `self`, parentheses and the operators + & - — bound tightest to loosest: arrow, +, &, -.
// A newline ends a statement after an identifier, `)`, `}` or `*`, as in SpiceDB's lexer.
// The engine validates schemas; this parser only needs to read valid ones, and throws on
// anything it does not understand rather than guess.
import type { AllowedSubject, Definition, PermissionExpr, RelationDef, SchemaModel } from "./schema-model.js";

interface Token {
  text: string;
  /** A newline came between the previous token and this one. */
  newlineBefore: boolean;
}

const TOKEN = /\s+|\/\/[^\n]*|\/\*[\s\S]*?\*\/|->|\.\.\.|[A-Za-z_][A-Za-z0-9_/]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|\d+(?:\.\d+)?|&&|\|\||==|!=|<=|>=|[{}()|+\-&=:#*.,;?![\]%<>]/y;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let newline = false;
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (!match) throw new Error(`schema: unexpected character ${JSON.stringify(text[at])} at offset ${at}`);
    const value = match[0];
    if (/^\s/.test(value) || value.startsWith("//") || value.startsWith("/*")) {
      if (value.includes("\n")) newline = true;
      continue;
    }
    tokens.push({ text: value, newlineBefore: newline });
    newline = false;
  }
  return tokens;
}

/** ENDS_STATEMENT: tokens after which a newline ends the statement (SpiceDB's synthetic semicolon). */
const ENDS_STATEMENT = /^([A-Za-z_][A-Za-z0-9_/]*|\)|\}|\*)$/;

class Parser {
  private at = 0;
  constructor(private readonly tokens: Token[]) {}

  peek(offset = 0): string | undefined {
    return this.tokens[this.at + offset]?.text;
  }
  next(): string {
    const token = this.tokens[this.at++];
    if (!token) throw new Error("schema: unexpected end of text");
    return token.text;
  }
  expect(text: string): void {
    const got = this.next();
    if (got !== text) throw new Error(`schema: expected "${text}", found "${got}"`);
  }
  identifier(): string {
    const got = this.next();
    if (!/^[A-Za-z_][A-Za-z0-9_/]*$/.test(got)) throw new Error(`schema: expected a name, found "${got}"`);
    return got;
  }
  /** atStatementEnd: the statement ends here (`;`, `}`, end of text, or a newline after an ending token). */
  atStatementEnd(): boolean {
    const token = this.tokens[this.at];
    if (!token || token.text === ";" || token.text === "}") return true;
    const previous = this.tokens[this.at - 1]?.text ?? "";
    return token.newlineBefore && ENDS_STATEMENT.test(previous);
  }
  skipSemicolon(): void {
    if (this.peek() === ";") this.at++;
  }
  done(): boolean {
    return this.at >= this.tokens.length;
  }
  /** skipBlock skips a `{ … }` block with nested braces (caveat bodies). */
  skipBlock(): void {
    this.expect("{");
    for (let depth = 1; depth > 0; ) {
      const t = this.next();
      if (t === "{") depth++;
      else if (t === "}") depth--;
    }
  }
}

export function parseSchema(text: string): SchemaModel {
  const p = new Parser(tokenize(text));
  const schema: SchemaModel = { definitions: new Map(), caveats: new Set() };
  while (!p.done()) {
    const keyword = p.next();
    if (keyword === ";") continue;
    if (keyword === "use") {
      p.identifier();
    } else if (keyword === "caveat") {
      schema.caveats.add(p.identifier());
      p.expect("(");
      while (p.next() !== ")");
      p.skipBlock();
    } else if (keyword === "definition") {
      const definition = parseDefinition(p);
      schema.definitions.set(definition.name, definition);
    } else {
      throw new Error(`schema: expected definition, caveat or use, found "${keyword}"`);
    }
  }
  return schema;
}

function parseDefinition(p: Parser): Definition {
  const definition: Definition = { name: p.identifier(), relations: new Map(), permissions: new Map() };
  p.expect("{");
  while (p.peek() !== "}") {
    const keyword = p.next();
    if (keyword === ";") continue;
    const name = p.identifier();
    if (keyword === "relation") {
      p.expect(":");
      definition.relations.set(name, parseRelation(p, name));
    } else if (keyword === "permission") {
      p.expect("=");
      definition.permissions.set(name, parseExpression(p, 0));
    } else {
      throw new Error(`schema: expected relation or permission in ${definition.name}, found "${keyword}"`);
    }
    p.skipSemicolon();
  }
  p.expect("}");
  return definition;
}

function parseRelation(p: Parser, name: string): RelationDef {
  const allowed: AllowedSubject[] = [];
  for (;;) {
    const subject: AllowedSubject = { type: p.identifier() };
    if (p.peek() === "#") {
      p.next();
      if (p.peek() === "...") {
        p.next();
        subject.relation = undefined;
      } else {
        subject.relation = p.identifier();
      }
    } else if (p.peek() === ":") {
      p.next();
      p.expect("*");
      subject.wildcard = true;
    }
    if (p.peek() === "with") {
      p.next();
      for (;;) {
        const trait = p.identifier();
        if (trait === "expiration") subject.expiration = true;
        else subject.caveat = trait;
        if (p.peek() !== "and") break;
        p.next();
      }
    }
    allowed.push(subject);
    if (p.atStatementEnd() || p.peek() !== "|") break;
    p.next();
  }
  return { name, allowed };
}

/** Binary operators, loosest first (SpiceDB's ComputeExpressionOperators). */
const OPERATORS: Array<{ token: string; op: "exclusion" | "intersection" | "union" }> = [
  { token: "-", op: "exclusion" },
  { token: "&", op: "intersection" },
  { token: "+", op: "union" },
];

function parseExpression(p: Parser, level: number): PermissionExpr {
  if (level === OPERATORS.length) return parseArrow(p);
  const { token, op } = OPERATORS[level]!;
  let left = parseExpression(p, level + 1);
  while (!p.atStatementEnd() && p.peek() === token) {
    p.next();
    const right = parseExpression(p, level + 1);
    // Exclusion is left-associative and binary; union and intersection flatten.
    left = op !== "exclusion" && left.op === op ? { op, children: [...left.children, right] } : { op, children: [left, right] };
  }
  return left;
}

function parseArrow(p: Parser): PermissionExpr {
  const base = parseBase(p);
  if (base.op !== "ref" || p.atStatementEnd()) return base;
  if (p.peek() === "->") {
    p.next();
    return { op: "arrow", tupleset: base.name, target: p.identifier() };
  }
  if (p.peek() === "." && (p.peek(1) === "any" || p.peek(1) === "all")) {
    p.next();
    const all = p.next() === "all";
    p.expect("(");
    const target = p.identifier();
    p.expect(")");
    return { op: "arrow", tupleset: base.name, target, ...(all ? { all } : {}) };
  }
  return base;
}

function parseBase(p: Parser): PermissionExpr {
  const token = p.next();
  if (token === "(") {
    const inner = parseExpression(p, 0);
    p.expect(")");
    return inner;
  }
  if (token === "nil") return { op: "nil" };
  if (token === "self") return { op: "self" };
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(token)) throw new Error(`schema: expected an expression, found "${token}"`);
  return { op: "ref", name: token };
}
