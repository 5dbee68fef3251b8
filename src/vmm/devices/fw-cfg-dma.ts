/** Guest-physical memory as the DMA engine sees it: no paging, no segmentation. */
export interface DmaMemory {
  readBytes(addr: number, length: number): Uint8Array;
  /** Copies into RAM; false (nothing written) when the range is not all RAM. */
  writeBytes(addr: number, bytes: Uint8Array): boolean;
}

/** The item side of the device: select, and take bytes from the current offset on. */
export interface DmaItemSource {
  select(key: number): void;
  take(length: number): Uint8Array;
  dmaTransfers: number;
  dmaBytes: number;
}

const enum Ctl {
  Error = 0x01,
  Read = 0x02,
  Skip = 0x04,
  Select = 0x08,
  Write = 0x10,
}

/** "QEMU CFG": what a read of the DMA address register returns, so a driver can tell the interface is there. */
const SIGNATURE = new TextEncoder().encode('QEMU CFG');
const ACCESS_BYTES = 16;
/** Zero-fill past an item's end comes from here, a chunk at a time, so a huge bogus length allocates nothing. */
const ZEROS = new Uint8Array(65536);
/**
 * Past an item's end QEMU zero-fills whatever length the guest asked for. Here one transfer zero-fills at most
 * this much and then reports an error: every VM's devices run on the monitor's one thread, and a guest asking
 * for gigabytes of zeros per OUT would stall the other VMs, not just itself. Firmware never reads more than a
 * few bytes past an item.
 */
const MAX_ZERO_FILL = 1 << 20;

function bswap32(v: number): number {
  return (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;
}

/**
 * fw_cfg's DMA interface (QEMU docs/specs/fw_cfg.rst). The guest writes the physical address of a
 * FWCfgDmaAccess { be32 control; be32 length; be64 address } to the 8-byte register at 0x514, big-endian, high
 * half first; the write of the low half runs the whole transfer at once, as QEMU does, and writes the control
 * word back: 0 when done, the error bit otherwise. One port exit moves a whole kernel.
 */
export class FwCfgDma {
  private addressHigh = 0;

  constructor(private readonly mem: DmaMemory, private readonly items: DmaItemSource) {}

  portRead(offset: number, size: 1 | 2 | 4): number {
    let v = 0;
    for (let i = 0; i < size; i++) v |= (SIGNATURE[offset + i] ?? 0) << (8 * i);
    return v;
  }

  portWrite(offset: number, size: 1 | 2 | 4, value: number): void {
    if (size !== 4) return;
    // The register is big-endian: an OUTL of cpu_to_be32(x) hands the device x.
    if (offset === 0) this.addressHigh = bswap32(value);
    else if (offset === 4) {
      const high = this.addressHigh;
      this.addressHigh = 0;
      if (high === 0) this.transfer(bswap32(value));
    }
  }

  private transfer(at: number): void {
    const access = this.mem.readBytes(at, ACCESS_BYTES);
    const dv = new DataView(access.buffer, access.byteOffset, ACCESS_BYTES);
    const control = dv.getUint32(0);
    let length = dv.getUint32(4);
    let address = dv.getUint32(12);
    const addressHigh = dv.getUint32(8);
    this.items.dmaTransfers++;
    if (control & Ctl.Select) this.items.select(control >>> 16);
    let error = 0;
    let zeroFilled = 0;
    const read = (control & Ctl.Read) !== 0;
    const write = !read && (control & Ctl.Write) !== 0;
    const skip = !read && !write && (control & Ctl.Skip) !== 0;
    if (!read && !write && !skip) length = 0;
    if (addressHigh !== 0 && length > 0 && !skip) error = Ctl.Error;
    while (length > 0 && !error) {
      const chunk = this.items.take(length);
      let len = chunk.length;
      if (len === 0) {
        // Past the item's end (or no such item): reads see zeros, writes fail.
        if (read && zeroFilled >= MAX_ZERO_FILL) {
          error = Ctl.Error;
          break;
        }
        len = Math.min(length, ZEROS.length);
        zeroFilled += len;
        if (read && !this.mem.writeBytes(address, ZEROS.subarray(0, len))) error = Ctl.Error;
        if (write) error = Ctl.Error;
      } else if (read) {
        if (!this.mem.writeBytes(address, chunk)) error = Ctl.Error;
        else this.items.dmaBytes += len;
      } else if (write) {
        // No item is guest-writable here (QEMU's are SMI and boot-time knobs Ringside does not have).
        error = Ctl.Error;
      }
      address = (address + len) >>> 0;
      length -= len;
    }
    const status = new Uint8Array(4);
    new DataView(status.buffer).setUint32(0, error);
    this.mem.writeBytes(at, status);
  }
}
