import { FW_CFG_FILE_DIR, type FwCfg } from '../../../src/vmm/devices/fw-cfg';
import { IoBus } from '../../../src/vmm/devices/io-bus';

/** Reads fw_cfg items and files through the selector and data ports, as firmware does. */
export function fwCfgReader(fw: FwCfg) {
  const bus = new IoBus();
  fw.attach(bus);
  const bytes = (key: number, n: number) => {
    bus.write(0x510, 2, key);
    return Uint8Array.from({ length: n }, () => bus.read(0x511, 1));
  };
  const u32 = (key: number) => new DataView(bytes(key, 4).buffer).getUint32(0, true);
  const files = () => {
    const n = new DataView(bytes(FW_CFG_FILE_DIR, 4).buffer).getUint32(0);
    const dir = bytes(FW_CFG_FILE_DIR, 4 + 64 * n);
    const dv = new DataView(dir.buffer);
    const out = new Map<string, { key: number; size: number }>();
    for (let i = 0; i < n; i++) {
      const o = 4 + 64 * i;
      const name = new TextDecoder().decode(dir.subarray(o + 8, o + 64)).replace(/\0.*$/s, '');
      out.set(name, { size: dv.getUint32(o), key: dv.getUint16(o + 4) });
    }
    return out;
  };
  const file = (name: string) => {
    const f = files().get(name);
    return f ? bytes(f.key, f.size) : undefined;
  };
  return { bytes, u32, files, file };
}
