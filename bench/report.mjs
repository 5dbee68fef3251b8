// Turns the raw runs into medians, ratios and the markdown tables of bench/README.md.

/** What one iteration of each mode is, for the per-unit column. `scale` converts seconds to `unit`. */
export const UNITS = {
  work: { unit: 'µs/iteration', scale: 1e6 },
  loop: { unit: 'ns/iteration', scale: 1e9 },
  intiret: { unit: 'µs/int+iret', scale: 1e6 },
  cr3: { unit: 'µs/CR3 switch+16 refills', scale: 1e6 },
};

export function median(xs) {
  const v = xs.filter((x) => typeof x === 'number' && Number.isFinite(x)).sort((a, b) => a - b);
  if (!v.length) return null;
  const h = v.length >> 1;
  return v.length % 2 ? v[h] : (v[h - 1] + v[h]) / 2;
}

const min = (xs) => (xs.length ? Math.min(...xs) : null);
const max = (xs) => (xs.length ? Math.max(...xs) : null);

/** Three significant digits, at most `d` decimals; '-' for nothing. */
function fmt(x, d = 3) {
  if (x === null || x === undefined || !Number.isFinite(x)) return '-';
  const a = Math.abs(x);
  const dec = a >= 100 ? 0 : a >= 10 ? 1 : a >= 1 ? 2 : d;
  return x.toFixed(Math.min(dec, d));
}

/**
 * Summarises runs[mode][engine] = [measurement per repetition] into one row per (mode, engine), with:
 * medians, min-max, MIPS (QEMU has no counter: it gets v86's instruction count for the same guest work), the
 * per-unit cost, and Ringside's time divided by the engine's, taken per repetition (the engines of one
 * repetition ran back to back, under about the same load) and then the median of those.
 */
export function summarise(runs, iters) {
  const rows = [];
  for (const [mode, byEngine] of Object.entries(runs)) {
    const N = iters[mode];
    const ok = (e) => (byEngine[e] ?? []).map((m) => (m && !m.error ? m : null));
    const v86Insns = median([...ok('v86-interp'), ...ok('v86-jit')].filter(Boolean).map((m) => m.instructions));
    const ring = ok('ringside');
    for (const [engine, list] of Object.entries(byEngine)) {
      const good = ok(engine);
      const w = good.filter(Boolean).map((m) => m.window_s);
      const cpu = good.filter(Boolean).map((m) => m.cpu_s).filter((x) => x !== null);
      const wall = median(w);
      const insns = median(good.filter(Boolean).map((m) => m.instructions)) ?? v86Insns;
      const ratio = (key) => median(good.map((m, i) => (m && ring[i] ? ring[i][key] / m[key] : null)));
      const row = {
        mode, N, engine,
        reps: w.length,
        errors: list.filter((m) => m?.error).map((m) => m.error),
        wall_s: wall, wall_min_s: min(w), wall_max_s: max(w),
        cpu_s: median(cpu),
        per_unit: wall !== null ? (wall / N) * UNITS[mode].scale : null,
        per_unit_cpu: median(cpu) !== null ? (median(cpu) / N) * UNITS[mode].scale : null,
        unit: UNITS[mode].unit,
        instructions: insns,
        instructions_source: good.some((m) => m?.instructions) ? 'own counter' : v86Insns ? "v86's count" : null,
        mips: wall && insns ? insns / wall / 1e6 : null,
        mips_cpu: median(cpu) && insns ? insns / median(cpu) / 1e6 : null,
        checksums: [...new Set(good.filter(Boolean).map((m) => m.checksum))],
        ringside_time_ratio_wall: engine === 'ringside' ? null : ratio('window_s'),
        ringside_time_ratio_cpu: engine === 'ringside' ? null : ratio('cpu_s'),
      };
      if (engine === 'ringside') {
        row.exits_per_s = median(good.filter(Boolean).map((m) => (m.exits ?? 0) / m.window_s));
        row.exits = median(good.filter(Boolean).map((m) => m.exits));
        row.exits_by_reason = good.find(Boolean)?.exits_by_reason ?? {};
      }
      rows.push(row);
    }
  }
  return rows;
}

/** Every engine's checksum must equal the reference one (QEMU's, else v86's) for the same mode and N. */
export function checkChecksums(rows) {
  const bad = [];
  for (const mode of new Set(rows.map((r) => r.mode))) {
    const of = (e) => rows.find((r) => r.mode === mode && r.engine === e)?.checksums ?? [];
    const ref = [...of('qemu'), ...of('v86-jit'), ...of('v86-interp')][0];
    for (const r of rows.filter((x) => x.mode === mode)) {
      r.checksum_ok = ref === undefined ? null : r.checksums.length === 1 && r.checksums[0] === ref;
      if (r.checksum_ok === false) bad.push(`${mode}/${r.engine}: ${r.checksums.join(',')} (reference ${ref})`);
    }
  }
  return bad;
}

export function markdown(rows, meta) {
  const L = [];
  L.push(`Measured ${meta.date} on ${meta.cpu}, ${meta.cores} cores (shared; load average ${meta.load_before.join(' ')} before, ${meta.load_after.join(' ')} after), ${meta.os}.`);
  L.push(`Ringside ${meta.ringside.commit.slice(0, 10)}${meta.ringside.rev ? ` (--rev ${meta.ringside.rev})` : meta.ringside.dirty.length ? ` + uncommitted ${meta.ringside.dirty.join(', ')}` : ''}, Node ${meta.node}, v86 ${meta.v86}, ${meta.qemu}.`);
  L.push(`${meta.reps} repetition(s), interleaved, under \`nice -n ${meta.nice}\`; median, [min-max]; ${meta.duration_s.toFixed(0)} s in all.`);
  L.push('');
  L.push('| mode | N | Ringside s | v86-interp s | v86-jit s | QEMU s | Ringside ÷ v86-interp (wall / CPU) | Ringside ÷ v86-jit (wall / CPU) | Ringside exits/s |');
  L.push('|---|---|---|---|---|---|---|---|---|');
  for (const mode of new Set(rows.map((r) => r.mode))) {
    const r = (e) => rows.find((x) => x.mode === mode && x.engine === e);
    const t = (e) => fmt(r(e)?.wall_s);
    const q = (e) => (r(e) ? `${fmt(r(e).ringside_time_ratio_wall, 2)} / ${fmt(r(e).ringside_time_ratio_cpu, 2)}` : '-');
    L.push(`| ${mode} | ${r('ringside')?.N ?? rows.find((x) => x.mode === mode).N} | ${t('ringside')} | ${t('v86-interp')} | ${t('v86-jit')} | ${t('qemu')} | ${q('v86-interp')} | ${q('v86-jit')} | ${fmt(r('ringside')?.exits_per_s)} |`);
  }
  L.push('');
  L.push('Ratios are Ringside\'s time divided by the other engine\'s (below 1: Ringside is faster), the median of the per-repetition ratios.');
  L.push('');
  L.push('| mode | N | engine | START->RESULT s | [min-max] | CPU s | per unit: wall / CPU | guest MIPS: wall / CPU | monitor exits (per wall s) | checksum |');
  L.push('|---|---|---|---|---|---|---|---|---|---|');
  for (const r of rows) {
    const exits = r.engine === 'ringside' ? `${fmt(r.exits, 0)} (${fmt(r.exits_per_s, 0)}/s)` : '-';
    const sum = `${r.checksums.join(',') || '-'}${r.checksum_ok === false ? ' **MISMATCH**' : ''}`;
    const err = r.errors.length ? ` (${r.errors.length} failed: ${r.errors[0]})` : '';
    L.push(`| ${r.mode} | ${r.N} | ${r.engine}${err} | ${fmt(r.wall_s)} | ${fmt(r.wall_min_s)}-${fmt(r.wall_max_s)} | ${fmt(r.cpu_s)} | ${fmt(r.per_unit)} / ${fmt(r.per_unit_cpu)} ${r.unit} | ${fmt(r.mips)} / ${fmt(r.mips_cpu)}${r.instructions_source === "v86's count" ? '*' : ''} | ${exits} | ${sum} |`);
  }
  L.push('');
  L.push("guest MIPS = guest instructions retired in the window / window; Ringside's and v86's from their own counters, * = QEMU's from v86's count for the same guest work. CPU s = the process's user+system time over the window (all threads): what it cost, whatever else ran on the machine.");
  return L.join('\n') + '\n';
}
