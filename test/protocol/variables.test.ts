import * as assert from 'node:assert';
import type { DebugClient } from '@vscode/debugadapter-testsupport';
import { startClient } from './adapter-client';
import { children, kernelFile, launchAndStop, named, scopeVariables, stack } from './kernel-session';

/** timer.c: `ticks++;`, the first statement of timer_interrupt(struct trapframe *tf). */
const TIMER_FIRST_LINE = 15;

describe('protocol: variables and expressions from DWARF', function () {
  this.timeout(120000);
  let dc: DebugClient;
  beforeEach(async () => (dc = await startClient()));
  afterEach(async () => dc.stop());

  it('shows parameters in Locals, with a pointer to a struct expanding to its members', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const top = (await stack(dc))[0];
    const locals = await scopeVariables(dc, top.id, 'Locals');
    const tf = named(locals, 'tf');
    assert.match(tf.type ?? '', /struct trapframe \*/);
    const [target] = await children(dc, tf);
    assert.strictEqual(target.name, '*tf');
    const members = await children(dc, target);
    assert.deepStrictEqual(members.slice(0, 3).map((m) => m.name), ['edi', 'esi', 'ebp']);
    // The timer interrupts the kernel's idle loop here (ring 0, kernel code segment 0x08).
    assert.strictEqual(named(members, 'cs').value, '8');
    assert.strictEqual(named(members, 'trapno').value, '32');
  });

  it('lists globals, and setVariable writes guest memory', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const top = (await stack(dc))[0];
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
    const globalsScope = named(scopes, 'Globals');
    const globals = (await dc.variablesRequest({ variablesReference: globalsScope.variablesReference })).body.variables;
    const ticks = named(globals, 'ticks');
    assert.match(ticks.value, /^\d+$/);
    const memoryEvent = dc.waitForEvent('memory', 5000);
    const set = await dc.setVariableRequest({ variablesReference: globalsScope.variablesReference, name: 'ticks', value: '1234' });
    assert.strictEqual((await memoryEvent).body.memoryReference, ticks.memoryReference);
    assert.strictEqual(set.body.value, '1234');
    const back = await dc.evaluateRequest({ expression: 'ticks', frameId: top.id, context: 'watch' });
    assert.strictEqual(back.body.result, '1234');
    const mem = await dc.customRequest('readMemory', { memoryReference: ticks.memoryReference!, count: 4 });
    assert.strictEqual(Buffer.from(mem.body.data, 'base64').readUInt32LE(0), 1234);
  });

  it('sets a register from the Registers scope', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const top = (await stack(dc))[0];
    const scopes = (await dc.scopesRequest({ frameId: top.id })).body.scopes;
    const regs = named(scopes, 'Registers');
    await dc.variablesRequest({ variablesReference: regs.variablesReference });
    const r = await dc.setVariableRequest({ variablesReference: regs.variablesReference, name: 'esi', value: '0x1234 + 1' });
    assert.strictEqual(r.body.value, '0x00001235');
    const back = await dc.evaluateRequest({ expression: '$esi', frameId: top.id, context: 'watch' });
    assert.match(back.body.result, /^0x1235 /);
  });

  it('evaluates C expressions over DWARF types: members, casts, sizeof, address-of, arrays', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE }]);
    const frameId = (await stack(dc))[0].id;
    const ev = async (expression: string, context = 'watch') => (await dc.evaluateRequest({ expression, frameId, context })).body;
    assert.strictEqual((await ev('tf->trapno')).result, '32');
    assert.strictEqual((await ev('(*tf).trapno == 32 && tf->err == 0')).result, '0x1 (1)');
    assert.strictEqual((await ev('sizeof(struct trapframe)')).result, '0x4c (76)');
    assert.strictEqual((await ev("(char)65")).result, "65 'A'");
    assert.strictEqual((await ev('(unsigned char)0x1ff')).result, "255 '\\xff'");
    const addr = await ev('&ticks');
    assert.ok(addr.memoryReference, 'a pointer has a memory reference');
    assert.strictEqual((await ev('*&ticks')).result, (await ev('ticks')).result);
    const whole = await ev('*tf', 'hover');
    assert.match(whole.result, /^\{edi = /);
    assert.ok(whole.variablesReference > 0, 'a struct result can be expanded');
    assert.strictEqual((await ev('((struct trapframe *)tf)->trapno + 1')).result, '0x21 (33)');
    assert.strictEqual((await ev('cmdline[0]')).result, "107 'k'");
    await assert.rejects(dc.evaluateRequest({ expression: 'tf->nosuchfield', frameId, context: 'watch' }), /no member nosuchfield/);
  });

  it('stops at a conditional breakpoint whose condition reads a DWARF parameter', async () => {
    await launchAndStop(dc, [{ file: kernelFile('timer.c'), line: TIMER_FIRST_LINE, condition: 'ticks >= 3' }]);
    const r = await dc.evaluateRequest({ expression: 'ticks', frameId: (await stack(dc))[0].id, context: 'watch' });
    assert.strictEqual(r.body.result, '3');
  });
});
