import * as assert from 'assert';
import { Code, Decoder, DecoderOptions, Formatter, FormatterSyntax, Instruction, Mnemonic } from 'iced-x86';
import { hex } from './convert';
import { loadDescribeInstruction } from './cpu-loader';
import { fillSlots, SLOT } from './decode/bytes';
import { isI686 } from './decode/i686';
import { icedOperands, mnemonicName, operandDiffs } from './decode/iced-view';
import { Rng } from './generators/prng';

/**
 * Decoder differential test: random byte strings (fully random and opcode-table guided) in 16- and 32-bit modes,
 * decoded by the CPU's describeInstruction and by iced-x86 restricted to an i686 (decode/i686.ts). Length (0 =
 * invalid) must agree; for valid instructions, the operands too (decode/iced-view.ts). RINGSIDE_DECODE_CASES sets
 * the count (default 1,000,000, half per mode), RINGSIDE_DIFF_SEED the seed.
 */
const SEED = Number(process.env.RINGSIDE_DIFF_SEED ?? 0x52494e47) >>> 0;
const CASES = Number(process.env.RINGSIDE_DECODE_CASES ?? 1_000_000);
const CHUNK_SLOTS = 1 << 15;
/** Instructions whose #UD-only encodings changed across SDM revisions (UD0 gained a ModRM in 2017): length 0 or iced's. */
const EITHER_WAY = new Set<Mnemonic>([Mnemonic.Ud0, Mnemonic.Ud1, Mnemonic.Rsm]);
/**
 * iced's options for CPUs that predate the mandatory-prefix reuse: F3 0F BC/BD decode as BSF/BSR with an ignored
 * REP prefix and F3 0F 09 as WBINVD, as on an i686 (not TZCNT/LZCNT/WBNOINVD).
 */
const OPTIONS = DecoderOptions.NoMPFX_0FBC | DecoderOptions.NoMPFX_0FBD | DecoderOptions.NoWbnoinvd;

/**
 * The 0F 18-0F 1F hint-NOP space (and 0F 0D): valid NOPs with a ModRM on family 6 whatever iced calls them today
 * (PREFETCHh, PREFETCHIT0/1, reserved NOPs). Returns 1 for 0F 19-1F, 2 for 0F 18 and 0F 0D (either a NOP or
 * #UD is accepted: their P6 behaviour is not pinned down by the SDM), 0 otherwise. Only the r/m operand is compared for these.
 */
function isHintNop(buf: Uint8Array, off: number, len: number): number {
  for (let p = off; p < off + Math.min(len, 15); p++) {
    const x = buf[p];
    if (x === 0x0f) {
      const y = buf[p + 1];
      // 0F 18 became the SSE prefetches (Pentium III): on a P6 it may be a hint NOP or #UD.
      return y >= 0x19 && y <= 0x1f ? 1 : y === 0x0d || y === 0x18 ? 2 : 0;
    }
    if (![0x66, 0x67, 0xf2, 0xf3, 0xf0, 0x26, 0x2e, 0x36, 0x3e, 0x64, 0x65].includes(x)) return 0;
  }
  return 0;
}

interface Group {
  count: number;
  example: string;
}

describe('decoder vs iced-x86', function () {
  this.timeout(300_000);

  for (const bits of [16, 32] as const) {
    it(`agrees on ${CASES / 2} random byte strings in ${bits}-bit mode`, function () {
      const describe = loadDescribeInstruction();
      if (!describe) {
        // The decoder side (src/vmm/cpu/testing/decode-info.ts) is not there yet: iced alone still runs below,
        // which keeps the byte generator and the i686 filter exercised.
        console.log('      note: describeInstruction not implemented yet; running iced-x86 alone');
      }
      const rng = new Rng(SEED, bits);
      const buf = new Uint8Array(CHUNK_SLOTS * SLOT);
      const ins = new Instruction();
      const groups = new Map<string, Group>();
      let fmt: Formatter | undefined;
      let valid = 0, invalid = 0, beyond = 0, failures = 0;
      const t0 = Date.now();
      for (let done = 0; done < CASES / 2; done += CHUNK_SLOTS) {
        const n = Math.min(CHUNK_SLOTS, CASES / 2 - done);
        fillSlots(rng, buf);
        const dec = new Decoder(bits, buf, OPTIONS);
        try {
          for (let s = 0; s < n; s++) {
            const off = s * SLOT;
            const eip = bits === 16 ? rng.int(0x10000) : rng.u32();
            dec.position = off;
            dec.ip = BigInt(eip);
            dec.decodeOut(ins);
            let len = ins.length;
            const hint = isHintNop(buf, off, ins.length);
            if (ins.code === Code.INVALID) { len = 0; invalid++; }
            else if (!hint && !isI686(ins.cpuidFeatures(), ins.mnemonic)) { len = 0; beyond++; }
            else valid++;
            if (!describe) {
              // iced against itself: the normalisation must be total and self-consistent.
              if (len && operandDiffs(icedOperands(ins), icedOperands(ins)).length) failures++;
              continue;
            }
            const got = describe(buf, off, bits, eip);
            let why: string | undefined;
            if (got.length !== len && !(len && got.length === 0 && (EITHER_WAY.has(ins.mnemonic) || hint === 2))) {
              why = `length: iced ${len}, cpu ${got.length}`;
            } else if (len && got.length) {
              const d = operandDiffs(icedOperands(ins), got.operands, mnemonicName(ins.mnemonic), hint > 0);
              if (d.length) why = d[0].replace(/0x[0-9a-f]+/g, '#');
            }
            if (!why) continue;
            failures++;
            const key = `${bits}-bit ${len ? mnemonicName(ins.mnemonic) : 'invalid'}: ${why}`;
            const g = groups.get(key);
            if (g) { g.count++; continue; }
            fmt ??= new Formatter(FormatterSyntax.Nasm);
            const text = len ? fmt.format(ins) : ins.code === Code.INVALID ? '(invalid)' : `${fmt.format(ins)} (beyond i686)`;
            groups.set(key, {
              count: 1,
              example: `${hex(buf.subarray(off, off + Math.max(len, got.length, 1)))} @${eip.toString(16)} iced: ${text} | ` +
                `cpu: len ${got.length} ${got.mnemonic} ${JSON.stringify(got.operands)}`,
            });
          }
        } finally {
          dec.free();
        }
      }
      ins.free();
      fmt?.free();
      const secs = (Date.now() - t0) / 1000;
      console.log(`      ${bits}-bit: ${CASES / 2} strings in ${secs.toFixed(1)} s: ${valid} valid i686, ${invalid} invalid, ` +
        `${beyond} beyond i686${describe ? `, ${failures} disagreements in ${groups.size} groups` : ''}`);
      if (failures) {
        const top = [...groups].sort((a, b) => b[1].count - a[1].count).slice(0, 40);
        console.log(top.map(([k, g]) => `      ${String(g.count).padStart(6)}  ${k}\n              e.g. ${g.example}`).join('\n'));
        assert.fail(`${failures} of ${CASES / 2} ${bits}-bit byte strings decode differently from iced-x86`);
      }
    });
  }
});
