// A time-series or bar chart on uPlot: created once per shape, fed new data in place on refresh, as
// wide as its box (a ResizeObserver follows the layout from 360 px phones to desktops).
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import { useEffect, useRef } from "preact/hooks";
import { html } from "./ui.ts";

export interface Series {
  label: string;
  values: Array<number | null>;
  /** A CSS colour variable name from styles.css, e.g. "--c1". */
  color: string;
}

export interface ChartProps {
  title: string;
  /** x values: epoch seconds for time axes, 0..n-1 for bars. */
  x: number[];
  series: Series[];
  /** How y values read on the axis and in the legend. */
  format?: (v: number) => string;
  /** Bars with these category names under them instead of a time axis. */
  categories?: string[];
  height?: number;
}

const css = (name: string) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

export function Chart({ title, x, series, format = (v) => String(Math.round(v * 100) / 100), categories, height = 180 }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  // The axis labels and x range are set at creation: a new set of categories is a new chart.
  const shape = `${series.map((s) => s.label).join("|")}:${categories ? `bars:${categories.join("|")}` : "time"}`;

  useEffect(() => {
    const el = box.current!;
    const axis = { stroke: css("--muted"), grid: { stroke: css("--grid"), width: 1 }, ticks: { stroke: css("--grid") } };
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      // One series: the title names it. Several: a key of their colours (values show on hover).
      legend: { show: series.length > 1, live: false },
      cursor: { drag: { x: false, y: false } },
      scales: {
        x: categories ? { time: false, range: () => [-0.5, categories.length - 0.5] } : { time: true },
        y: { range: (_u, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] },
      },
      axes: [
        // Bars: one tick under each, named by its category.
        { ...axis, ...(categories ? { splits: () => categories.map((_, i) => i), values: (_u: uPlot, ticks: number[]) => ticks.map((t) => categories[t] ?? "") } : {}) },
        { ...axis, size: 56, values: (_u: uPlot, ticks: number[]) => ticks.map(format) },
      ],
      series: [
        { label: categories ? "" : "time", value: categories ? (_u: uPlot, v: number) => categories[v] ?? "" : undefined },
        ...series.map((s) => ({
          label: s.label,
          stroke: css(s.color),
          fill: categories ? css(s.color) : `${css(s.color)}22`,
          width: 2,
          // Minutes without traffic have no latency or error rate: join across them, and mark each point
          // while there are few, so a lone minute still shows.
          spanGaps: true,
          points: { size: 6, show: (u: uPlot, i: number) => !categories && (u.data[i] as Array<number | null>).filter((v) => v !== null).length <= 30 },
          value: (_u: uPlot, v: number | null) => (v === null ? "–" : format(v)),
          ...(categories ? { paths: uPlot.paths.bars!({ size: [0.6, 48] }) } : {}),
        })),
      ],
    };
    const u = new uPlot(opts, [x, ...series.map((s) => s.values)] as uPlot.AlignedData, el);
    plot.current = u;
    const resize = new ResizeObserver(() => u.setSize({ width: Math.max(200, el.clientWidth), height }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      u.destroy();
      plot.current = null;
    };
  }, [shape]);

  useEffect(() => {
    plot.current?.setData([x, ...series.map((s) => s.values)] as uPlot.AlignedData);
  }, [x, series]);

  const last = series.map((s) => `${s.label}: ${format(s.values.at(-1) ?? 0)}`).join(", ");
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div ref=${box} role="img" aria-label=${`${title} chart; latest ${last}`}></div>
  </figure>`;
}
