import * as assert from 'node:assert';
import * as fs from 'fs';
import * as path from 'path';
import { sampleKernelDir } from '../../support/repo';
import { hasScope, scopeOf, tokenize, type Token } from './tokenize';

const GAS = 'source.x86.gas.ringside';

/** A line of a sample kernel source, by its exact text, so the test reads what users read. */
function realLine(file: string, text: string): string {
  const lines = fs.readFileSync(path.join(sampleKernelDir(), file), 'utf8').split('\n');
  const line = lines.find((l) => l === text);
  if (line === undefined) throw new Error(`${file} has no line ${JSON.stringify(text)} any more`);
  return line;
}

async function one(file: string, text: string): Promise<Token[]> {
  return (await tokenize(GAS, [realLine(file, text)]))[0];
}

function expectScope(tokens: Token[], text: string, scope: string): void {
  const scopes = scopeOf(tokens, text);
  assert.ok(hasScope(scopes, scope), `"${text}": expected ${scope}, got ${scopes.join(' ')}`);
}

describe('syntax: GNU as (AT&T) grammar on the teaching kernel', () => {
  it('instructions with size suffixes, registers, immediates, comments (entry.S)', async () => {
    const t = await one('kernel/entry.S', '    movl $boot_stack_top, %esp');
    expectScope(t, 'movl', 'keyword.instruction.gas');
    expectScope(t, '%esp', 'variable.language.register.gas');
    expectScope(t, '$', 'punctuation.definition.immediate.gas');
    const c = await one('kernel/entry.S', '    xorl %ebp, %ebp             # a zero frame pointer ends a debugger\'s backtrace here');
    expectScope(c, 'xorl', 'keyword.instruction.gas');
    expectScope(c, "# a zero frame pointer ends a debugger's backtrace here", 'comment.line.number-sign.gas');
  });

  it('control transfers are keyword.control; labels are entity.name.function (entry.S)', async () => {
    expectScope(await one('kernel/entry.S', '    call kmain'), 'call', 'keyword.control.instruction.gas');
    expectScope(await one('kernel/entry.S', '    jmp halt_forever'), 'jmp', 'keyword.control.instruction.gas');
    const label = await one('kernel/entry.S', 'halt_forever:');
    expectScope(label, 'halt_forever', 'entity.name.function.label.gas');
    expectScope(label, ':', 'punctuation.separator.label.gas');
    expectScope(await one('kernel/entry.S', '    hlt'), 'hlt', 'keyword.instruction.gas');
  });

  it('rep prefixes, string instructions (entry.S)', async () => {
    const t = await one('kernel/entry.S', '    rep stosb');
    expectScope(t, 'rep', 'keyword.instruction.prefix.gas');
    expectScope(t, 'stosb', 'keyword.instruction.gas');
  });

  it('cpp lines in .S files: #include and #define are directives, other # lines comments (entry.S)', async () => {
    const inc = await one('kernel/entry.S', '#include "multiboot.h"');
    expectScope(inc, '"multiboot.h"', 'string.quoted.double.include.gas');
    assert.ok(inc.every((x) => !hasScope(x.scopes, 'comment')), 'not a comment');
    assert.ok(hasScope(inc[0].scopes, 'meta.preprocessor.gas'));
    const def = await one('kernel/entry.S', '#define MB_FLAGS 0x00000003     /* bit 0: page-align modules; bit 1: give us memory info */');
    expectScope(def, 'MB_FLAGS', 'entity.name.function.preprocessor.gas');
    expectScope(def, '0x00000003', 'constant.numeric.hex.gas');
    expectScope(def, 'bit 0: page-align modules; bit 1: give us memory info', 'comment.block.gas');
    const comment = await one('kernel/entry.S', '# The boot stack.  After boot it belongs to the scheduler loop (proc.c);');
    assert.ok(comment.every((x) => hasScope(x.scopes, 'comment.line.number-sign.gas')));
  });

  it('directives and their operands (entry.S)', async () => {
    const s = await one('kernel/entry.S', '.section .multiboot, "a"');
    expectScope(s, '.section', 'keyword.other.directive.gas');
    expectScope(s, 'a', 'string.quoted.double.gas');
    const l = await one('kernel/entry.S', '    .long -(MULTIBOOT_HEADER_MAGIC + MB_FLAGS)   # checksum: the three sum to 0');
    expectScope(l, '.long', 'keyword.other.directive.gas');
    expectScope(l, '# checksum: the three sum to 0', 'comment.line.number-sign.gas');
    expectScope(await one('kernel/entry.S', '    .space 16384'), '16384', 'constant.numeric.decimal.gas');
  });

  it('memory operands with displacements and immediates in hex (swtch.S, usys.S)', async () => {
    const t = await one('kernel/swtch.S', '    movl 4(%esp), %eax    # save');
    expectScope(t, '4', 'constant.numeric.decimal.gas');
    expectScope(t, '%eax', 'variable.language.register.gas');
    const i = await one('user/usys.S', '    int $0x80             # through IDT gate 0x80 to trap.S; back by iret');
    expectScope(i, 'int', 'keyword.control.instruction.gas');
    expectScope(i, '0x80', 'constant.numeric.hex.gas');
  });

  it('sysenter/sysexit, segment registers, local label references (sysenter.S, usys.S)', async () => {
    expectScope(await one('kernel/sysenter.S', '    popl %gs'), '%gs', 'variable.language.register.gas');
    const sx = await one('kernel/sysenter.S', '    sysexit                  # the next instruction, so the first instruction');
    expectScope(sx, 'sysexit', 'keyword.control.instruction.gas');
    const ref = await one('user/usys.S', "    movl $1f, %edx        # the instruction after sysenter, for sysexit's EIP");
    expectScope(ref, '1f', 'entity.name.label.local-reference.gas');
  });

  it('macros: definition, arguments spliced into labels, invocations (trap.S, programs.S)', async () => {
    const lines = ['.macro VECTOR_NOERR n', '.globl vector\\n', 'vector\\n:', '    pushl $\\n', '.endm', 'VECTOR_NOERR 0'].map((l) => realLine('kernel/trap.S', l));
    const [def, globl, label, push, endm, use] = await tokenize(GAS, lines);
    expectScope(def, '.macro', 'keyword.other.directive.gas');
    expectScope(globl, '\\n', 'variable.parameter.macro.gas');
    expectScope(label, 'vector', 'entity.name.function.label.gas');
    expectScope(label, '\\n', 'variable.parameter.macro.gas');
    expectScope(push, '\\n', 'variable.parameter.macro.gas');
    expectScope(endm, '.endm', 'keyword.other.directive.gas');
    expectScope(use, 'VECTOR_NOERR', 'entity.name.function.macro.gas');
    const inc = await one('kernel/programs.S', '    .incbin "user/\\name\\().elf"');
    expectScope(inc, '\\name', 'variable.parameter.macro.gas');
    expectScope(inc, '\\()', 'constant.character.escape.concatenate.gas');
  });

  it('every line of every sample .S file tokenizes, and no instruction line is left without a keyword', async () => {
    const dir = sampleKernelDir();
    const files = ['kernel', 'user'].flatMap((d) => fs.readdirSync(path.join(dir, d)).filter((f) => f.endsWith('.S')).map((f) => path.join(d, f)));
    assert.ok(files.length >= 6, files.join(' '));
    let instructions = 0;
    for (const f of files) {
      const lines = fs.readFileSync(path.join(dir, f), 'utf8').split('\n');
      const tokens = await tokenize(GAS, lines);
      lines.forEach((line, i) => {
        // An indented lower-case word that is not a directive or comment: an instruction.
        if (!/^\s+[a-z][a-z0-9]*(\s|$)/.test(line)) return;
        instructions++;
        assert.ok(tokens[i].some((t) => hasScope(t.scopes, 'keyword')), `${f}:${i + 1}: ${line}`);
      });
    }
    assert.ok(instructions > 100, `${instructions} instruction lines`);
  });
});
