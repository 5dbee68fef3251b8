/** A minimal synthetic bzImage: a real setup header in front of an arbitrary "protected-mode kernel". */
export interface FakeBzOptions {
  version?: number;
  setupSects?: number;
  pmBytes?: number;
  initrdAddrMax?: number;
  initSize?: number;
  loadFlags?: number;
}

export function fakeBzImage(o: FakeBzOptions = {}): Uint8Array {
  const setupSects = o.setupSects ?? 4;
  const pmBytes = o.pmBytes ?? 64 * 1024;
  const f = new Uint8Array((setupSects + 1) * 512 + pmBytes);
  const v = new DataView(f.buffer);
  f[0x1f1] = setupSects;
  v.setUint32(0x1f4, pmBytes / 16, true);
  v.setUint16(0x1fe, 0xaa55, true);
  f[0x200] = 0xeb;
  f[0x201] = 0x268 - 0x202; // jump over the header: the header ends at 0x268
  v.setUint32(0x202, 0x53726448, true);
  v.setUint16(0x206, o.version ?? 0x020f, true);
  v.setUint16(0x20e, 0x300 - 0x200, true);
  f.set(new TextEncoder().encode('6.1.0-test (ringside@test) #1\0'), 0x300);
  f[0x211] = o.loadFlags ?? 0x01;
  v.setUint32(0x214, 0x100000, true);
  v.setUint32(0x22c, o.initrdAddrMax ?? 0x7fffffff, true);
  v.setUint32(0x230, 0x1000000, true);
  f[0x234] = 1;
  v.setUint32(0x238, 2047, true);
  v.setUint32(0x258, 0x1000000, true);
  v.setUint32(0x260, o.initSize ?? 0x800000, true);
  // A recognisable first instruction word of the protected-mode kernel.
  v.setUint32((setupSects + 1) * 512, 0xdeadbeef, true);
  return f;
}
