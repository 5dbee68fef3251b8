/**
 * Names of ExitReason values, index = reason, for statistics, the exit trace and the debugger's filters (a
 * file of its own so the debug adapter can name reasons without loading the machine).
 */
export const EXIT_NAMES = [
  'IoIn', 'IoOut', 'CrWrite', 'CrRead', 'DrWrite', 'DescriptorTableLoad', 'Hlt', 'Invlpg', 'Msr', 'InterruptFlag',
  'Exception', 'ExternalInterrupt', 'SoftwareInterrupt', 'Cpuid', 'Hypercall', 'TaskSwitch', 'ModeSwitch', 'RingTransition',
  'Clts', 'Lmsw', 'DrRead', 'CacheFlush', 'RingCompression',
];
