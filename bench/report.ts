// Turns measured figures into the Markdown report (stdout and bench/results/latest.md).

export const FIGURES = [
  { key: "rps_c10", head: "req/s c10", better: "higher", digits: 0 },
  { key: "rps_c50", head: "req/s c50", better: "higher", digits: 0 },
  { key: "cpu_us_c50", head: "CPU µs/req c50", better: "lower", digits: 0 },
  { key: "rps_c10_slow", head: "req/s c10, 50 ms upstream", better: "higher", digits: 0 },
  { key: "rps_c50_slow", head: "req/s c50, 50 ms upstream", better: "higher", digits: 0 },
  { key: "added_p50_ms", head: "added p50 ms", better: "lower", digits: 3 },
  { key: "added_p99_ms", head: "added p99 ms", better: "lower", digits: 3 },
  { key: "stream_ttfb_added_ms", head: "stream TTFB added ms", better: "lower", digits: 3 },
  { key: "stream_total_added_ms", head: "stream total added ms", better: "lower", digits: 3 },
  { key: "rss_idle_mb", head: "RSS idle MB", better: "lower", digits: 1 },
  { key: "rss_peak_mb", head: "RSS peak MB", better: "lower", digits: 1 },
  { key: "rss_after_mb", head: "RSS after MB", better: "lower", digits: 1 },
  { key: "start_ms", head: "start ms", better: "lower", digits: 0 },
  { key: "cold_start_ms", head: "binary cold start ms", better: "lower", digits: 0 },
] as const;

export type FigureKey = (typeof FIGURES)[number]["key"];

export interface TargetReport {
  name: string;
  /** Why the target has no figures, when it could not be started or answered wrongly. */
  unavailable?: string;
  figures: Partial<Record<FigureKey, number>>;
  /** Problems worth a footnote (non-2xx answers under load, bad streams ...). */
  notes: string[];
}

export interface ReportInput {
  title: string;
  meta: string[];
  baseline: string;
  targets: TargetReport[];
}

const fmt = (v: number | undefined, digits: number) => (v === undefined ? "—" : v.toFixed(digits));

/** value / reference, only where both are positive: an added latency at or below zero is noise, not a base. */
const ratio = (v: number | undefined, ref: number | undefined) =>
  v !== undefined && ref !== undefined && v > 0 && ref > 0 ? `${(v / ref).toFixed(2)}×` : "—";

const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
const header = (first: string) => [row([first, ...FIGURES.map((f) => f.head)]), row(["---", ...FIGURES.map(() => "---:")])];

export function renderMarkdown(input: ReportInput): string {
  const available = input.targets.filter((t) => !t.unavailable);
  const lines = [`# ${input.title}`, "", ...input.meta.map((m) => `- ${m}`), "", "## Figures", ""];
  lines.push(...header("target"));
  for (const t of available) lines.push(row([t.name, ...FIGURES.map((f) => fmt(t.figures[f.key], f.digits))]));
  lines.push("", input.baseline, "");

  for (const refName of ["bare", "portkey"]) {
    const ref = available.find((t) => t.name === refName);
    lines.push(`## Relative to ${refName === "bare" ? "the bare Bun proxy" : "Portkey"}`, "");
    if (!ref) {
      lines.push(`${refName} unavailable: no ratios.`, "");
      continue;
    }
    lines.push(...header("target"));
    for (const t of available) lines.push(row([t.name, ...FIGURES.map((f) => ratio(t.figures[f.key], ref.figures[f.key]))]));
    lines.push("");
  }
  lines.push(`Ratios are target ÷ reference. Higher is better for ${FIGURES.filter((f) => f.better === "higher").map((f) => f.head).join(", ")}; lower is better for the rest.`, "");

  const notes = input.targets.flatMap((t) => [
    ...(t.unavailable ? [`${t.name}: unavailable (${t.unavailable})`] : []),
    ...t.notes.map((n) => `${t.name}: ${n}`),
  ]);
  if (notes.length) lines.push("## Notes", "", ...notes.map((n) => `- ${n}`), "");
  return lines.join("\n");
}
