import type { GuestPhysicalMemory } from '../memory/guest-physical';
import type { TimerService } from '../monitor/virtual-clock';
import { ApicBus } from './apic-bus';
import type { BlockBackend } from './block-backend';
import { DebugConsole, IsaDebugExit, PostPort } from './debug-ports';
import { FerrLatch } from './ferr-latch';
import { FwCfg, fwCfgE820 } from './fw-cfg';
import { I8042 } from './i8042';
import { IDE_PRIMARY, IDE_SECONDARY, IdeChannel } from './ide';
import { IOAPIC_BASE, IoApic } from './io-apic';
import type { IoBus } from './io-bus';
import { IrqFanout, isaIrqToGsi } from './irq';
import { LAPIC_BASE, LocalApic, LocalApicMmio } from './local-apic';
import { createI440fxPlatform, type I440fxHostBridge, type PciHost, type Piix3Ide, type Piix3IsaBridge } from './pci';
import { PicPair } from './pic';
import { Pit8254 } from './pit';
import { PvBlock } from './pv-block';
import { PvConsole } from './pv-console';
import { Rtc } from './rtc';
import { COM1, COM2, Uart16550 } from './uart';
import { VgaText } from './vga-text';

export interface PcPlatformOptions {
  io: IoBus;
  phys: GuestPhysicalMemory;
  clock: TimerService;
  cpus: number;
  /** RAM below 4 GiB and above it, for CMOS and fw_cfg. */
  ramBytes: number;
  highRamBytes?: number;
  /** Wall-clock time at virtual time zero (ms since the epoch) for the RTC. */
  startTimeMs: number;
  disks?: { primaryMaster?: BlockBackend; primarySlave?: BlockBackend; secondaryMaster?: BlockBackend; secondarySlave?: BlockBackend };
  /** isa-debug-exit iobase, or false for none. Default 0xF4. */
  debugExit?: { iobase?: number; size?: number } | false;
  /** Without APICs the machine is a uniprocessor PC/AT: the 8259 talks to CPU 0 directly. */
  apic?: boolean;
  /** The vCPU whose access is being emulated, so the shared APIC page reaches the right local APIC. */
  currentCpu: () => number;
  onSerial?: (com: number, byte: number) => void;
  onDebugOutput?: (byte: number) => void;
  /** Bytes the paravirtual console sends (default: COM1's output, where the guest's console is). */
  onPvConsole?: (byte: number) => void;
  onExit?: (status: number) => void;
  onA20?: (enabled: boolean) => void;
  onReset?: () => void;
  onInit?: (cpu: number) => void;
  onStartup?: (cpu: number, vector: number) => void;
  onNmi?: (cpu: number) => void;
  /** An interrupt became deliverable to `cpu`: wake it if it halts. */
  onWake?: (cpu: number) => void;
}

/**
 * Every PC device, created, attached to the port bus and memory map, and wired together: ISA lines fan out to
 * the 8259 pair and the I/O APIC (IRQ0 on pin 2), local APIC EOIs reach the I/O APIC, and
 * `interruptPending`/`acknowledgeInterrupt` give the CPU one place to ask (they implement the CpuHost methods
 * of the same name).
 */
export class PcPlatform {
  readonly pic = new PicPair();
  readonly lines: IrqFanout;
  readonly pit: Pit8254;
  readonly rtc: Rtc;
  readonly com: Uart16550[];
  readonly kbc: I8042;
  readonly post = new PostPort();
  readonly debugConsole: DebugConsole;
  readonly debugExit: IsaDebugExit | undefined;
  readonly vga: VgaText;
  readonly pci: PciHost;
  readonly northBridge: I440fxHostBridge;
  readonly isaBridge: Piix3IsaBridge;
  readonly ideFunction: Piix3Ide;
  readonly ide: IdeChannel[];
  readonly apicBus = new ApicBus();
  readonly apics: LocalApic[] = [];
  readonly ioapic: IoApic | undefined;
  readonly fwCfg: FwCfg;
  readonly ferr: FerrLatch;
  readonly pvConsole: PvConsole;
  readonly pvBlock: PvBlock;

  constructor(o: PcPlatformOptions) {
    const { io, phys, clock } = o;
    const useApic = o.apic !== false;
    if (useApic) this.ioapic = new IoApic(this.apicBus);
    this.lines = new IrqFanout(
      this.ioapic ? [{ sink: this.pic }, { sink: this.ioapic, map: isaIrqToGsi }] : [{ sink: this.pic }],
    );
    const irq = this.lines;
    this.pic.attach(io);
    this.pic.onOutputChange = (asserted) => {
      if (asserted) o.onWake?.(0);
    };

    this.pit = new Pit8254({ clock, irq });
    this.pit.attach(io);
    this.rtc = new Rtc({ clock, irq, startTimeMs: o.startTimeMs, ramBytes: o.ramBytes, highRamBytes: o.highRamBytes, cpus: o.cpus });
    this.rtc.attach(io);
    this.com = [COM1, COM2].map((c, i) => {
      const u = new Uart16550({ name: `com${i + 1}`, clock, irq, line: c.line, onTransmit: (b) => o.onSerial?.(i, b) });
      u.attach(io, c.base);
      return u;
    });
    this.kbc = new I8042({ irq, onA20: o.onA20, onReset: o.onReset });
    this.kbc.attach(io);
    this.post.attach(io);
    this.debugConsole = new DebugConsole(o.onDebugOutput);
    this.debugConsole.attach(io);
    if (o.debugExit !== false) {
      this.debugExit = new IsaDebugExit({ ...(o.debugExit ?? {}), onExit: o.onExit });
      this.debugExit.attach(io);
    }
    this.vga = new VgaText({ clock, readMemory: (a, n) => phys.readBytes(a, n) });
    this.vga.attach(io);

    const pci = createI440fxPlatform();
    this.pci = pci.host;
    this.northBridge = pci.northBridge;
    this.isaBridge = pci.isa;
    this.ideFunction = pci.ide;
    this.pci.onReset = o.onReset;
    this.pci.attach(io);

    const d = o.disks ?? {};
    this.ide = [
      new IdeChannel({ name: 'ide0', irq, line: IDE_PRIMARY.line, master: d.primaryMaster, slave: d.primarySlave }),
      new IdeChannel({ name: 'ide1', irq, line: IDE_SECONDARY.line, master: d.secondaryMaster, slave: d.secondarySlave }),
    ];
    this.ide[0].attach(io, IDE_PRIMARY.base, IDE_PRIMARY.control);
    this.ide[1].attach(io, IDE_SECONDARY.base, IDE_SECONDARY.control);

    this.fwCfg = new FwCfg({
      ramBytes: o.ramBytes + (o.highRamBytes ?? 0),
      cpus: o.cpus,
      dmaMemory: {
        readBytes: (a, n) => phys.readBytes(a, n),
        writeBytes: (a, bytes) => {
          if (a + bytes.length > phys.ramBytes) return false;
          try {
            phys.load(a, bytes);
            return true;
          } catch {
            return false;
          }
        },
      },
    });
    this.fwCfg.addFile('etc/e820', fwCfgE820(o.ramBytes, o.highRamBytes));
    // Ringside has no VGA BIOS and no window: like QEMU with -nographic, firmware mirrors its INT 10h text
    // output (SeaBIOS's banner and boot messages) to COM1.
    this.fwCfg.addFile('etc/sercon-port', new Uint8Array([COM1.base & 0xff, COM1.base >> 8]));
    this.fwCfg.attach(io);
    this.ferr = new FerrLatch(irq);
    this.ferr.attach(io);

    // The paravirtual devices sit beside the emulated ones, on the same disks (src/vmm/monitor/hypercalls/README.md).
    this.pvConsole = new PvConsole(phys, (b) => (o.onPvConsole ?? ((x: number) => o.onSerial?.(0, x)))(b));
    this.pvConsole.attach(io);
    this.pvBlock = new PvBlock(phys, [d.primaryMaster, d.primarySlave, d.secondaryMaster, d.secondarySlave], irq);
    this.pvBlock.attach(io);

    if (this.ioapic) {
      const ioapic = this.ioapic;
      for (let cpu = 0; cpu < o.cpus; cpu++) {
        this.apics.push(
          new LocalApic({
            id: cpu,
            clock,
            bus: this.apicBus,
            bsp: cpu === 0,
            onEoi: (v) => ioapic.eoi(v),
            onInit: () => o.onInit?.(cpu),
            onStartup: (v) => o.onStartup?.(cpu, v),
            onNmi: () => o.onNmi?.(cpu),
            onInterrupt: () => o.onWake?.(cpu),
          }),
        );
      }
      phys.addMmio(LAPIC_BASE, 0x1000, new LocalApicMmio(this.apics, o.currentCpu));
      phys.addMmio(IOAPIC_BASE, 0x1000, ioapic);
    }
  }

  /** Whether `cpu` has a maskable interrupt to take (the CPU checks IF itself). */
  interruptPending(cpu: number): boolean {
    const apic = this.apics[cpu];
    if (apic?.hasInterrupt()) return true;
    return this.picReaches(cpu) && this.pic.hasInterrupt();
  }

  /** The INTA cycle for `cpu`: the local APIC's vector first, then the 8259's; -1 if nothing is pending. */
  acknowledgeInterrupt(cpu: number): number {
    const apic = this.apics[cpu];
    if (apic?.hasInterrupt()) return apic.acknowledge();
    if (this.picReaches(cpu) && this.pic.hasInterrupt()) return this.pic.acknowledge();
    return -1;
  }

  /** The 8259's INTR is wired to the BSP only, through LINT0 when there is a local APIC. */
  private picReaches(cpu: number): boolean {
    if (cpu !== 0) return false;
    const apic = this.apics[0];
    return !apic || apic.acceptsPicInterrupt();
  }
}
