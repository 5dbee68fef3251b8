import { type BlockBackend, SECTOR_SIZE } from './block-backend';
import { defaultGeometry, type Geometry, identifyDevice, MAX_MULTIPLE } from './ide-identify';
import type { IoBus, IoDevice } from './io-bus';
import type { IrqLines } from './irq';

export const STATUS_ERR = 0x01;
export const STATUS_DRQ = 0x08;
export const STATUS_DSC = 0x10;
export const STATUS_DF = 0x20;
export const STATUS_DRDY = 0x40;
export const STATUS_BSY = 0x80;

export const ERROR_AMNF = 0x01;
export const ERROR_ABRT = 0x04;
export const ERROR_IDNF = 0x10;
export const ERROR_UNC = 0x40;

const CONTROL_NIEN = 0x02;
const CONTROL_SRST = 0x04;

const SELECT_DEV = 0x10;
const SELECT_LBA = 0x40;

const REG_DATA = 0;
const REG_ERROR_FEATURES = 1;
const REG_COUNT = 2;
const REG_SECTOR = 3;
const REG_LCYL = 4;
const REG_HCYL = 5;
const REG_SELECT = 6;

type Transfer = 'none' | 'read' | 'write' | 'identify';

/** One ATA disk: its own status, error, interrupt and PIO buffer; the task file is the channel's. */
export class IdeDrive {
  readonly sectors: number;
  readonly geometry: Geometry;
  current: Geometry;
  status = STATUS_DRDY | STATUS_DSC;
  error = ERROR_AMNF; // diagnostic code 01h: no error detected
  irqPending = false;
  multiple = 0;
  writeCache = true;
  readonly buffer = new Uint8Array(MAX_MULTIPLE * SECTOR_SIZE);
  bufPos = 0;
  bufLen = 0;
  transfer: Transfer = 'none';
  /** Next LBA to transfer and sectors still to go, for READ/WRITE (MULTIPLE). */
  lba = 0;
  remaining = 0;
  blockSectors = 1;
  sectorsRead = 0;
  sectorsWritten = 0;

  constructor(
    readonly backend: BlockBackend,
    readonly serial: string,
    readonly model = 'RINGSIDE HARDDISK',
  ) {
    this.sectors = backend.sectorCount;
    this.geometry = defaultGeometry(this.sectors);
    this.current = { ...this.geometry };
  }

  identify(): Uint8Array {
    return identifyDevice({
      sectors: this.sectors,
      geometry: this.geometry,
      current: this.current,
      multiple: this.multiple,
      writeCache: this.writeCache,
      serial: this.serial,
      model: this.model,
    });
  }
}

export interface IdeChannelOptions {
  name?: string;
  irq: IrqLines;
  /** 14 for the primary channel, 15 for the secondary. */
  line: number;
  master?: BlockBackend;
  slave?: BlockBackend;
}

/** Standard legacy resources. */
export const IDE_PRIMARY = { base: 0x1f0, control: 0x3f6, line: 14 } as const;
export const IDE_SECONDARY = { base: 0x170, control: 0x376, line: 15 } as const;

/**
 * One ATA channel in PIO mode (ATA/ATAPI-6 protocol): command block at base+0..7, device control / alternate
 * status at the control port. Commands complete instantly in virtual time, so BSY is never seen set except
 * while the guest holds SRST; interrupts follow the PIO data-in/data-out protocols (one per DRQ block, plus
 * the completion interrupt of a write).
 */
export class IdeChannel implements IoDevice {
  readonly name: string;
  private readonly irq: IrqLines;
  private readonly line: number;
  readonly drives: Array<IdeDrive | undefined>;
  features = 0;
  count = 0;
  sector = 0;
  lcyl = 0;
  hcyl = 0;
  select = 0;
  control = 0;
  private irqHigh = false;
  private controlPort = -1;

  constructor(opts: IdeChannelOptions) {
    this.name = opts.name ?? 'ide';
    this.irq = opts.irq;
    this.line = opts.line;
    const tag = this.name.toUpperCase();
    this.drives = [
      opts.master ? new IdeDrive(opts.master, `RS-${tag}-0`) : undefined,
      opts.slave ? new IdeDrive(opts.slave, `RS-${tag}-1`) : undefined,
    ];
    this.setSignature();
  }

  attach(bus: IoBus, base: number, controlPort: number): void {
    this.controlPort = controlPort;
    bus.register(this, base, 8);
    bus.register(this, controlPort, 1);
  }

  private get selectedIndex(): number {
    return this.select & SELECT_DEV ? 1 : 0;
  }

  private get selected(): IdeDrive | undefined {
    return this.drives[this.selectedIndex];
  }

  private updateIrq(): void {
    const d = this.selected;
    const high = !!d && d.irqPending && !(this.control & CONTROL_NIEN);
    if (high === this.irqHigh) return;
    this.irqHigh = high;
    if (high) this.irq.raise(this.line);
    else this.irq.lower(this.line);
  }

  private interrupt(d: IdeDrive): void {
    d.irqPending = true;
    this.updateIrq();
  }

  /** The ATA signature after reset or diagnostics: 01h/01h/00h/00h marks a non-packet device. */
  private setSignature(): void {
    this.count = 1;
    this.sector = 1;
    this.lcyl = 0;
    this.hcyl = 0;
    this.select = 0;
  }

  /** Status as the selected position answers it; an absent device 1 reads 00h, an empty channel floats. */
  private statusOf(): number {
    const d = this.selected;
    if (d) return d.status;
    return this.drives[0] || this.drives[1] ? 0x00 : 0xff;
  }

  portRead(port: number, size: 1 | 2 | 4): number {
    const reg = port & 7;
    if (port === this.controlPort) return this.statusOf(); // alternate status: no side effects
    if (reg === REG_DATA) {
      if (size === 4) return this.readData() | (this.readData() << 16);
      return this.readData();
    }
    if (!this.drives[0] && !this.drives[1]) return 0xff;
    switch (reg) {
      case REG_ERROR_FEATURES:
        return this.selected ? this.selected.error : 0;
      case REG_COUNT:
        return this.count;
      case REG_SECTOR:
        return this.sector;
      case REG_LCYL:
        return this.lcyl;
      case REG_HCYL:
        return this.hcyl;
      case REG_SELECT:
        return this.select | 0xa0;
      default: {
        // Status: reading it acknowledges the device's interrupt.
        const v = this.statusOf();
        const d = this.selected;
        if (d && d.irqPending) {
          d.irqPending = false;
          this.updateIrq();
        }
        return v;
      }
    }
  }

  portWrite(port: number, size: 1 | 2 | 4, value: number): void {
    if (port === this.controlPort) {
      this.writeControl(value & 0xff);
      return;
    }
    const reg = port & 7;
    if (reg === REG_DATA) {
      this.writeData(value & 0xffff);
      if (size === 4) this.writeData((value >>> 16) & 0xffff);
      return;
    }
    value &= 0xff;
    switch (reg) {
      case REG_ERROR_FEATURES:
        this.features = value;
        break;
      case REG_COUNT:
        this.count = value;
        break;
      case REG_SECTOR:
        this.sector = value;
        break;
      case REG_LCYL:
        this.lcyl = value;
        break;
      case REG_HCYL:
        this.hcyl = value;
        break;
      case REG_SELECT:
        this.select = value & 0x5f;
        this.updateIrq();
        break;
      default:
        this.command(value);
    }
  }

  private writeControl(value: number): void {
    const wasReset = (this.control & CONTROL_SRST) !== 0;
    this.control = value;
    if (value & CONTROL_SRST) {
      for (const d of this.drives) {
        if (!d) continue;
        d.status = STATUS_BSY;
        d.transfer = 'none';
        d.irqPending = false;
      }
    } else if (wasReset) {
      for (const d of this.drives) {
        if (!d) continue;
        d.status = STATUS_DRDY | STATUS_DSC;
        d.error = ERROR_AMNF;
      }
      this.setSignature();
    }
    this.updateIrq();
  }

  // --- data port ---

  private readData(): number {
    const d = this.selected;
    if (!d || !(d.status & STATUS_DRQ) || d.transfer === 'write') return 0xffff;
    const v = d.buffer[d.bufPos] | (d.buffer[d.bufPos + 1] << 8);
    d.bufPos += 2;
    if (d.bufPos >= d.bufLen) this.blockDone(d);
    return v;
  }

  private writeData(v: number): void {
    const d = this.selected;
    if (!d || !(d.status & STATUS_DRQ) || d.transfer !== 'write') return;
    d.buffer[d.bufPos] = v & 0xff;
    d.buffer[d.bufPos + 1] = v >> 8;
    d.bufPos += 2;
    if (d.bufPos >= d.bufLen) this.blockDone(d);
  }

  /** The host has moved a whole DRQ block: fetch or store the next one, or finish the command. */
  private blockDone(d: IdeDrive): void {
    const n = d.bufLen / SECTOR_SIZE;
    if (d.transfer === 'identify') {
      this.finish(d, false);
      return;
    }
    if (d.transfer === 'write') {
      try {
        d.backend.write(d.lba, n, d.buffer);
      } catch {
        this.fail(d, ERROR_ABRT, STATUS_DF);
        return;
      }
      d.sectorsWritten += n;
    }
    d.lba += n;
    d.remaining -= n;
    if (d.remaining === 0) {
      this.setAddress(d.lba - 1);
      this.count = 0;
      // A read ends silently when its last word is taken; a write interrupts to report completion.
      this.finish(d, d.transfer === 'write');
      return;
    }
    this.startBlock(d);
    this.interrupt(d);
  }

  private startBlock(d: IdeDrive): void {
    const n = Math.min(d.remaining, d.blockSectors);
    d.bufPos = 0;
    d.bufLen = n * SECTOR_SIZE;
    if (d.transfer === 'read') {
      d.backend.read(d.lba, n, d.buffer);
      d.sectorsRead += n;
    }
    d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
  }

  private finish(d: IdeDrive, irq: boolean): void {
    d.transfer = 'none';
    d.status = STATUS_DRDY | STATUS_DSC;
    if (irq) this.interrupt(d);
  }

  private fail(d: IdeDrive, error: number, extraStatus = 0): void {
    d.transfer = 'none';
    d.error = error;
    d.status = STATUS_DRDY | STATUS_DSC | STATUS_ERR | extraStatus;
    this.interrupt(d);
  }

  // --- addressing ---

  /** The LBA the task file names (LBA28 or CHS through the current translation), or -1 if CHS is invalid. */
  private address(d: IdeDrive): number {
    if (this.select & SELECT_LBA) {
      return ((this.select & 0x0f) << 24) | (this.hcyl << 16) | (this.lcyl << 8) | this.sector;
    }
    const { heads, sectorsPerTrack: spt } = d.current;
    const cyl = (this.hcyl << 8) | this.lcyl;
    const head = this.select & 0x0f;
    if (this.sector === 0 || this.sector > spt || head >= heads) return -1;
    return (cyl * heads + head) * spt + this.sector - 1;
  }

  /** Leaves the task file pointing at `lba`, as the standard asks after a transfer or an error. */
  private setAddress(lba: number): void {
    const d = this.selected;
    if (!d) return;
    if (this.select & SELECT_LBA) {
      this.sector = lba & 0xff;
      this.lcyl = (lba >> 8) & 0xff;
      this.hcyl = (lba >> 16) & 0xff;
      this.select = (this.select & 0xf0) | ((lba >> 24) & 0x0f);
      return;
    }
    const { heads, sectorsPerTrack: spt } = d.current;
    const cyl = Math.floor(lba / (heads * spt));
    const rest = lba % (heads * spt);
    this.lcyl = cyl & 0xff;
    this.hcyl = (cyl >> 8) & 0xff;
    this.select = (this.select & 0xf0) | Math.floor(rest / spt);
    this.sector = (rest % spt) + 1;
  }

  // --- commands ---

  private command(cmd: number): void {
    const d = this.selected;
    // Commands to an absent device are ignored; commands while BSY are not accepted.
    if (!d || d.status & STATUS_BSY) return;
    d.irqPending = false;
    d.error = 0;
    d.status = STATUS_DRDY | STATUS_DSC;
    switch (cmd) {
      case 0x20: // READ SECTOR(S)
      case 0x21:
        this.startTransfer(d, 'read', 1);
        return;
      case 0x30: // WRITE SECTOR(S)
      case 0x31:
        this.startTransfer(d, 'write', 1);
        return;
      case 0xc4: // READ MULTIPLE
      case 0xc5: // WRITE MULTIPLE
        if (d.multiple === 0) {
          this.fail(d, ERROR_ABRT);
          return;
        }
        this.startTransfer(d, cmd === 0xc4 ? 'read' : 'write', d.multiple);
        return;
      case 0x40: // READ VERIFY SECTOR(S)
      case 0x41: {
        const lba = this.address(d);
        const n = this.count || 256;
        if (lba < 0 || lba + n > d.sectors) this.fail(d, ERROR_IDNF);
        else this.interrupt(d);
        return;
      }
      case 0xec: // IDENTIFY DEVICE
        d.buffer.set(d.identify());
        d.bufPos = 0;
        d.bufLen = SECTOR_SIZE;
        d.transfer = 'identify';
        d.status = STATUS_DRDY | STATUS_DSC | STATUS_DRQ;
        this.interrupt(d);
        return;
      case 0xc6: // SET MULTIPLE MODE
        if (this.count > MAX_MULTIPLE || (this.count & (this.count - 1)) !== 0) {
          this.fail(d, ERROR_ABRT);
          return;
        }
        d.multiple = this.count;
        this.interrupt(d);
        return;
      case 0x91: // INITIALIZE DEVICE PARAMETERS
        if (this.count === 0) {
          this.fail(d, ERROR_ABRT);
          return;
        }
        d.current = {
          heads: (this.select & 0x0f) + 1,
          sectorsPerTrack: this.count,
          cylinders: Math.min(65535, Math.floor(d.sectors / (((this.select & 0x0f) + 1) * this.count))),
        };
        this.interrupt(d);
        return;
      case 0xef: // SET FEATURES
        this.setFeatures(d);
        return;
      case 0xe7: // FLUSH CACHE
        d.backend.flush();
        this.interrupt(d);
        return;
      case 0x90: // EXECUTE DEVICE DIAGNOSTIC
        for (const x of this.drives) if (x) x.error = ERROR_AMNF;
        this.setSignature();
        this.interrupt(this.drives[0] ?? d);
        return;
      case 0xe5: // CHECK POWER MODE: active
        this.count = 0xff;
        this.interrupt(d);
        return;
      case 0x70: // SEEK
      case 0xe0: // STANDBY IMMEDIATE
      case 0xe1: // IDLE IMMEDIATE
      case 0xe2: // STANDBY
      case 0xe3: // IDLE
        this.interrupt(d);
        return;
      default:
        if (cmd >= 0x10 && cmd <= 0x1f) {
          this.interrupt(d); // RECALIBRATE
          return;
        }
        // Unsupported, including IDENTIFY PACKET DEVICE (0xA1) and DEVICE RESET (0x08) on a non-packet disk.
        this.fail(d, ERROR_ABRT);
    }
  }

  private setFeatures(d: IdeDrive): void {
    switch (this.features) {
      case 0x02:
        d.writeCache = true;
        break;
      case 0x82:
        d.writeCache = false;
        break;
      case 0x03: {
        // Transfer mode: PIO default (00h/01h) or PIO flow-control modes up to 4; no DMA.
        const mode = this.count;
        if (!(mode <= 0x01 || (mode >= 0x08 && mode <= 0x0c))) {
          this.fail(d, ERROR_ABRT);
          return;
        }
        break;
      }
      case 0x55:
      case 0xaa: // read look-ahead off/on
      case 0x66:
      case 0xcc: // revert to power-on defaults off/on
        break;
      default:
        this.fail(d, ERROR_ABRT);
        return;
    }
    this.interrupt(d);
  }

  private startTransfer(d: IdeDrive, kind: 'read' | 'write', blockSectors: number): void {
    const lba = this.address(d);
    const n = this.count || 256;
    if (lba < 0 || lba + n > d.sectors) {
      if (lba >= 0) this.setAddress(Math.min(lba, d.sectors));
      this.fail(d, ERROR_IDNF);
      return;
    }
    if (kind === 'write' && d.backend.readOnly) {
      this.fail(d, ERROR_ABRT);
      return;
    }
    d.transfer = kind;
    d.lba = lba;
    d.remaining = n;
    d.blockSectors = blockSectors;
    this.startBlock(d);
    // Data-in raises INTRQ when each block is ready; data-out waits silently for the first block.
    if (kind === 'read') this.interrupt(d);
  }
}
