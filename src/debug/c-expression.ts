/**
 * C expressions as typed in the Watch view, the Debug Console, hovers and breakpoint conditions: a tokenizer
 * and a precedence-climbing parser producing a small tree. Evaluation (over DWARF types and guest memory) is in
 * evaluate.ts; this file knows nothing of the machine, so it is tested on its own.
 */
export type Token =
  | { t: 'num'; v: bigint }
  | { t: 'id'; v: string }
  | { t: 'op'; v: string };

export interface TypeSpec {
  /** "int", "unsigned int", "struct proc", "uint32_t"... */
  base: string;
  pointers: number;
}

export type Expr =
  | { k: 'num'; v: bigint }
  | { k: 'id'; name: string }
  | { k: 'unary'; op: string; e: Expr }
  | { k: 'binary'; op: string; l: Expr; r: Expr }
  | { k: 'member'; e: Expr; name: string; arrow: boolean }
  | { k: 'index'; e: Expr; i: Expr }
  | { k: 'cast'; type: TypeSpec; e: Expr }
  | { k: 'cond'; c: Expr; t: Expr; f: Expr }
  | { k: 'sizeof'; type?: TypeSpec; e?: Expr };

const PUNCT = ['->', '<<', '>>', '<=', '>=', '==', '!=', '&&', '||', '.', '[', ']', '(', ')', '+', '-', '*', '/', '%', '&', '|', '^', '~', '!', '<', '>', '?', ':'];
const ESCAPES: Record<string, number> = { n: 10, t: 9, r: 13, '0': 0, '\\': 92, "'": 39, '"': 34, a: 7, b: 8, f: 12, v: 11 };

export function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const rest = src.slice(i);
    let m: RegExpExecArray | null;
    if ((m = /^\s+/.exec(rest))) {
      i += m[0].length;
      continue;
    }
    if ((m = /^(0x[0-9a-f]+|0b[01]+|0[0-7]*|[1-9][0-9]*)[uUlL]*/i.exec(rest))) {
      const text = m[1];
      const v = /^0[0-7]+$/.test(text) ? BigInt('0o' + text.slice(1)) : BigInt(text);
      out.push({ t: 'num', v });
      i += m[0].length;
      continue;
    }
    if ((m = /^'(\\(?:x[0-9a-f]+|.)|[^\\'])'/i.exec(rest))) {
      const body = m[1];
      const v = body.startsWith('\\x') ? parseInt(body.slice(2), 16) : body.startsWith('\\') ? (ESCAPES[body[1]] ?? body.charCodeAt(1)) : body.charCodeAt(0);
      out.push({ t: 'num', v: BigInt(v) });
      i += m[0].length;
      continue;
    }
    // `$`-names are registers and may carry a part: $cs.base.
    if ((m = /^\$[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_]+)?/.exec(rest)) || (m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(rest))) {
      out.push({ t: 'id', v: m[0] });
      i += m[0].length;
      continue;
    }
    const p = PUNCT.find((x) => rest.startsWith(x));
    if (!p) throw new Error(`cannot parse "${rest}"`);
    out.push({ t: 'op', v: p });
    i += p.length;
  }
  return out;
}

/** Binary operators by precedence level, loosest first (C's table). */
export const BINARY_LEVELS: string[][] = [
  ['||'], ['&&'], ['|'], ['^'], ['&'], ['==', '!='], ['<', '>', '<=', '>='], ['<<', '>>'], ['+', '-'], ['*', '/', '%'],
];

const TYPE_WORDS = new Set(['struct', 'union', 'enum', 'unsigned', 'signed', 'const', 'volatile', 'char', 'short', 'int', 'long', 'float', 'double', 'void', '_Bool']);

/**
 * Parses a C expression. `isTypeName` says whether an identifier names a type (a typedef), which is how C tells
 * a cast `(u32)x` from a parenthesised expression `(x)`.
 */
export function parseExpression(src: string, isTypeName: (name: string) => boolean = () => false): Expr {
  const tokens = tokenize(src);
  let pos = 0;
  const peek = (o = 0): Token | undefined => tokens[pos + o];
  const isOp = (v: string, o = 0): boolean => {
    const t = peek(o);
    return !!t && t.t === 'op' && t.v === v;
  };
  const expect = (v: string): void => {
    if (!isOp(v)) throw new Error(`expected "${v}"`);
    pos++;
  };
  const startsType = (o: number): boolean => {
    const t = peek(o);
    return !!t && t.t === 'id' && (TYPE_WORDS.has(t.v) || isTypeName(t.v));
  };
  const typeSpec = (): TypeSpec => {
    const words: string[] = [];
    while (peek()?.t === 'id') {
      const w = (peek() as { v: string }).v;
      const tagged = words.length > 0 && ['struct', 'union', 'enum'].includes(words[words.length - 1]);
      if (!TYPE_WORDS.has(w) && !tagged && !(words.length === 0 && isTypeName(w))) break;
      if (w !== 'const' && w !== 'volatile') words.push(w);
      pos++;
      if (tagged || (isTypeName(w) && !TYPE_WORDS.has(w))) break;
    }
    if (!words.length) throw new Error('expected a type name');
    let pointers = 0;
    while (isOp('*') || (peek()?.t === 'id' && ['const', 'volatile'].includes((peek() as { v: string }).v))) {
      if (isOp('*')) pointers++;
      pos++;
    }
    return { base: words.join(' '), pointers };
  };

  const expr = (): Expr => {
    const c = binary(0);
    if (!isOp('?')) return c;
    pos++;
    const t = expr();
    expect(':');
    return { k: 'cond', c, t, f: expr() };
  };
  const binary = (level: number): Expr => {
    if (level >= BINARY_LEVELS.length) return unary();
    let l = binary(level + 1);
    for (;;) {
      const t = peek();
      if (!t || t.t !== 'op' || !BINARY_LEVELS[level].includes(t.v)) return l;
      pos++;
      l = { k: 'binary', op: t.v, l, r: binary(level + 1) };
    }
  };
  const unary = (): Expr => {
    const t = peek();
    if (!t) throw new Error('incomplete expression');
    if (t.t === 'op' && ['-', '+', '~', '!', '*', '&'].includes(t.v)) {
      pos++;
      return { k: 'unary', op: t.v, e: unary() };
    }
    if (t.t === 'id' && t.v === 'sizeof') {
      pos++;
      if (isOp('(') && startsType(1)) {
        pos++;
        const type = typeSpec();
        expect(')');
        return { k: 'sizeof', type };
      }
      return { k: 'sizeof', e: unary() };
    }
    if (isOp('(') && startsType(1)) {
      pos++;
      const type = typeSpec();
      expect(')');
      return { k: 'cast', type, e: unary() };
    }
    return postfix();
  };
  const postfix = (): Expr => {
    let e = primary();
    for (;;) {
      if (isOp('.') || isOp('->')) {
        const arrow = isOp('->');
        pos++;
        const name = peek();
        if (!name || name.t !== 'id') throw new Error('expected a member name');
        pos++;
        e = { k: 'member', e, name: name.v, arrow };
      } else if (isOp('[')) {
        pos++;
        const i = expr();
        expect(']');
        e = { k: 'index', e, i };
      } else return e;
    }
  };
  const primary = (): Expr => {
    const t = peek();
    if (!t) throw new Error('incomplete expression');
    pos++;
    if (t.t === 'num') return { k: 'num', v: t.v };
    if (t.t === 'id') return { k: 'id', name: t.v };
    if (t.v === '(') {
      const e = expr();
      expect(')');
      return e;
    }
    throw new Error(`unexpected "${t.v}"`);
  };

  const e = expr();
  if (pos < tokens.length) throw new Error(`unexpected input after the expression: "${tokens.slice(pos).map((x) => String(x.v)).join(' ')}"`);
  return e;
}
