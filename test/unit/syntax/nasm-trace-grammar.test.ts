import * as assert from 'node:assert';
import { hasScope, scopeOf, tokenize, type Token } from './tokenize';

function expectScope(tokens: Token[], text: string, scope: string): void {
  const scopes = scopeOf(tokens, text);
  assert.ok(hasScope(scopes, scope), `"${text}": expected ${scope}, got ${scopes.join(' ')}`);
}

describe('syntax: NASM (Intel) grammar', () => {
  const NASM = 'source.x86.nasm.ringside';

  it('a multiboot entry in NASM: directives, labels, instructions, registers, memory operands, comments', async () => {
    const [bits, section, global, label, mov, call, data, dd, inc, local] = await tokenize(NASM, [
      'bits 32',
      'section .text',
      'global _start',
      '_start:',
      '    mov esp, stack_top          ; a stack for C',
      '    call kmain',
      '    mov dword [ebx + 4], 0x2BADB002',
      'magic: dd 0x1BADB002, 0x00000003, -(0x1BADB002 + 3)',
      '%include "multiboot.inc"',
      '.loop:  hlt',
    ]);
    expectScope(bits, 'bits', 'keyword.other.directive.nasm');
    expectScope(bits, '32', 'constant.numeric.decimal.nasm');
    expectScope(section, 'section', 'keyword.other.directive.nasm');
    expectScope(global, 'global', 'keyword.other.directive.nasm');
    expectScope(label, '_start', 'entity.name.function.label.nasm');
    expectScope(mov, 'mov', 'keyword.instruction.nasm');
    expectScope(mov, 'esp', 'variable.language.register.nasm');
    expectScope(mov, '; a stack for C', 'comment.line.semicolon.nasm');
    expectScope(call, 'call', 'keyword.control.instruction.nasm');
    expectScope(data, 'dword', 'storage.type.size.nasm');
    expectScope(data, '[', 'punctuation.definition.memory.nasm');
    expectScope(data, 'ebx', 'variable.language.register.nasm');
    expectScope(data, '0x2BADB002', 'constant.numeric.hex.nasm');
    expectScope(dd, 'dd', 'keyword.other.data.nasm');
    expectScope(inc, '%include', 'keyword.control.directive.nasm');
    expectScope(inc, 'multiboot.inc', 'string.quoted.double.nasm');
    expectScope(local, '.loop', 'entity.name.function.label.nasm');
    expectScope(local, 'hlt', 'keyword.instruction.nasm');
  });

  it('NASM number forms: 10h, 0b1010, 1010b, 777q', async () => {
    const [t] = await tokenize('source.x86.nasm.ringside', ['    add eax, 10h + 0b1010 + 1010b + 777q + 42']);
    expectScope(t, '10h', 'constant.numeric.hex.nasm');
    expectScope(t, '0b1010', 'constant.numeric.binary.nasm');
    expectScope(t, '1010b', 'constant.numeric.binary.nasm');
    expectScope(t, '777q', 'constant.numeric.octal.nasm');
    expectScope(t, '42', 'constant.numeric.decimal.nasm');
  });

  it('prefixes: rep movsb, lock xadd', async () => {
    const [rep, lock] = await tokenize('source.x86.nasm.ringside', ['    rep movsb', '    lock xadd [ecx], eax']);
    expectScope(rep, 'rep', 'keyword.instruction.prefix.nasm');
    expectScope(rep, 'movsb', 'keyword.instruction.nasm');
    expectScope(lock, 'lock', 'keyword.instruction.prefix.nasm');
    expectScope(lock, 'xadd', 'keyword.instruction.nasm');
  });
});

describe('syntax: exit-trace grammar', () => {
  it('scopes the header, the exit reason and each key=value', async () => {
    const [comment, io, fault] = await tokenize('text.ringside.exit-trace', [
      '# ringside exit trace v1',
      '[vm0 cpu0 @123456] IoOut port=0x3f8 size=1 value=0x41 eip=0x00100cb7',
      '[vm1 cpu1 @99] Exception vector=#PF error=0x2 cr2=0x00000000 eip=0x4080043e',
    ]);
    expectScope(comment, '# ringside exit trace v1', 'comment.line.number-sign.ringside-trace');
    expectScope(io, 'vm0', 'entity.name.namespace.vm.ringside-trace');
    expectScope(io, '0', 'constant.numeric.cpu.ringside-trace');
    expectScope(io, '123456', 'constant.numeric.instruction-count.ringside-trace');
    expectScope(io, 'IoOut', 'keyword.other.exit-reason.ringside-trace');
    expectScope(io, 'port', 'variable.parameter.key.ringside-trace');
    expectScope(io, '0x3f8', 'constant.numeric.hex.ringside-trace');
    expectScope(io, '1', 'constant.numeric.decimal.ringside-trace');
    expectScope(fault, 'Exception', 'keyword.control.exit-reason.fault.ringside-trace');
    expectScope(fault, '#PF', 'constant.language.vector.ringside-trace');
  });
});
