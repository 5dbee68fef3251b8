import * as assert from 'node:assert';
import { parseExpression, tokenize, type Expr } from '../../../src/debug/c-expression';

/** Fully parenthesised rendering: shows how the parser grouped things. */
function show(e: Expr): string {
  switch (e.k) {
    case 'num': return e.v.toString();
    case 'id': return e.name;
    case 'unary': return `(${e.op}${show(e.e)})`;
    case 'binary': return `(${show(e.l)} ${e.op} ${show(e.r)})`;
    case 'member': return `${show(e.e)}${e.arrow ? '->' : '.'}${e.name}`;
    case 'index': return `${show(e.e)}[${show(e.i)}]`;
    case 'cast': return `((${e.type.base}${'*'.repeat(e.type.pointers)})${show(e.e)})`;
    case 'cond': return `(${show(e.c)} ? ${show(e.t)} : ${show(e.f)})`;
    case 'sizeof': return `sizeof(${e.type ? e.type.base + '*'.repeat(e.type.pointers) : show(e.e!)})`;
  }
}

describe('debug: C expression tokenizer and parser', () => {
  it('tokenizes numbers in every base, characters, registers and operators', () => {
    const t = tokenize("0x1F 017 0b101 42u 'a' '\\n' '\\x41' $cs.base tf->eip << >=");
    assert.deepStrictEqual(t.map((x) => (x.t === 'num' ? Number(x.v) : x.v)), [31, 15, 5, 42, 97, 10, 65, '$cs.base', 'tf', '->', 'eip', '<<', '>=']);
  });

  it('refuses what it cannot read', () => {
    assert.throws(() => tokenize('a @ b'), /cannot parse "@ b"/);
    assert.throws(() => parseExpression('1 +'), /incomplete expression/);
    assert.throws(() => parseExpression('(1'), /expected "\)"/);
    assert.throws(() => parseExpression('1 2'), /unexpected input after the expression/);
  });

  it('follows C precedence and associativity', () => {
    assert.strictEqual(show(parseExpression('1 + 2 * 3')), '(1 + (2 * 3))');
    assert.strictEqual(show(parseExpression('1 - 2 - 3')), '((1 - 2) - 3)');
    assert.strictEqual(show(parseExpression('a & b == c')), '(a & (b == c))');
    assert.strictEqual(show(parseExpression('a || b && c | d ^ e & f')), '(a || (b && (c | (d ^ (e & f)))))');
    assert.strictEqual(show(parseExpression('1 << 2 + 3 < 4')), '((1 << (2 + 3)) < 4)');
    assert.strictEqual(show(parseExpression('x ? y : z ? 1 : 2')), '(x ? y : (z ? 1 : 2))');
  });

  it('binds postfix tighter than unary: *p->next, -a[1], &s.m', () => {
    assert.strictEqual(show(parseExpression('*p->next')), '(*p->next)');
    assert.strictEqual(show(parseExpression('-a[1]')), '(-a[1])');
    assert.strictEqual(show(parseExpression('&s.m')), '(&s.m)');
    assert.strictEqual(show(parseExpression('(*tf).cs & 3')), '((*tf).cs & 3)');
  });

  it('tells casts from parenthesised expressions by the type names it knows', () => {
    const types = (n: string): boolean => n === 'u32';
    assert.strictEqual(show(parseExpression('(struct proc *)p->parent', types)), '((struct proc*)p->parent)');
    assert.strictEqual(show(parseExpression('(unsigned char)x + 1', types)), '(((unsigned char)x) + 1)');
    assert.strictEqual(show(parseExpression('(u32)x', types)), '((u32)x)');
    assert.strictEqual(show(parseExpression('(x)', types)), 'x');
    assert.strictEqual(show(parseExpression('*(const char **)$esp', types)), '(*((char**)$esp))');
    assert.strictEqual(show(parseExpression('sizeof(struct trapframe) + sizeof x', types)), '(sizeof(struct trapframe) + sizeof(x))');
  });
});
