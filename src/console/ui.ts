// Shared pieces of the console: the htm template tag, the inline error, the async-state hook and the
// formatters every section uses.
import { h } from "preact";
import htm from "htm";
import { useCallback, useEffect, useRef, useState } from "preact/hooks";
import { ApiError } from "./api.ts";

export const html = htm.bind(h);

/** An API error shown where it happened; `role=alert` so screen readers hear it. */
export function ErrorNote({ error }: { error: unknown }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const status = error instanceof ApiError && error.status ? ` (${error.status})` : "";
  return html`<p class="error" role="alert">${message}${status}</p>`;
}

export interface Loaded<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => Promise<void>;
}

/** Runs `load` now, when `deps` change and, with `everyMs`, again on that period while the page is visible. */
export function useLoad<T>(load: () => Promise<T>, deps: unknown[], everyMs?: number): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const latest = useRef(0);
  const reload = useCallback(async () => {
    const run = ++latest.current;
    try {
      const data = await load();
      if (run === latest.current) setState({ data, loading: false });
    } catch (error) {
      if (run === latest.current) setState((s) => ({ data: s.data, error, loading: false }));
    }
  }, deps);
  useEffect(() => {
    void reload();
    if (!everyMs) return;
    const timer = setInterval(() => document.visibilityState === "visible" && void reload(), everyMs);
    return () => clearInterval(timer);
  }, [reload, everyMs]);
  return { data: state.data, error: state.error, loading: state.loading, reload };
}

/** Runs a user action, keeping its error next to the control that started it. */
export function useAction(): [(task: () => Promise<void>) => Promise<void>, unknown, boolean] {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const run = useCallback(async (task: () => Promise<void>) => {
    setError(null);
    setBusy(true);
    try {
      await task();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }, []);
  return [run, error, busy];
}

const numberFormat = new Intl.NumberFormat("en");
export const num = (n: number | null | undefined) => (n === null || n === undefined || Number.isNaN(n) ? "–" : numberFormat.format(Math.round(n * 100) / 100));
export const pct = (n: number | null | undefined) => (n === null || n === undefined || !Number.isFinite(n) ? "–" : `${(n * 100).toFixed(n > 0 && n < 0.1 ? 1 : 0)}%`);
export const ms = (n: number | null | undefined) => (n === null || n === undefined ? "–" : n >= 1000 ? `${(n / 1000).toFixed(n >= 10_000 ? 0 : 1)} s` : `${Math.round(n)} ms`);

/** A local date and time, short. */
export function when(iso: string | number | null | undefined): string {
  if (iso === null || iso === undefined) return "–";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return String(iso);
  return d.toLocaleString(undefined, { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit", second: "2-digit" });
}

/** The time of day for today's moments, the date too for older ones. */
export function clock(iso: string): string {
  const d = new Date(iso);
  const today = d.toDateString() === new Date().toDateString();
  return d.toLocaleString(undefined, today ? { hour: "2-digit", minute: "2-digit", second: "2-digit" } : { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

/** "in 4 min", "3 h ago". */
export function relative(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const delta = new Date(iso).getTime() - now;
  const abs = Math.abs(delta);
  const text = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3_600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${(abs / 3_600_000).toFixed(1)} h` : `${Math.round(abs / 86_400_000)} d`;
  return delta >= 0 ? `in ${text}` : `${text} ago`;
}

const STATE_TONE: Record<string, string> = {
  ok: "good", healthy: "good", failing: "warn", half_open: "warn", unknown: "muted", unconfigured: "muted",
  cooling_down: "bad", open: "bad", dropped: "muted",
};

/** A coloured state chip: the text says the state, the colour only repeats it. */
export function StateBadge({ state, title }: { state: string; title?: string }) {
  return html`<span class=${`badge ${STATE_TONE[state] ?? "muted"}`} title=${title}>${state.replace("_", " ")}</span>`;
}

/** The page's heading and an optional line under it. */
export function Heading({ title, children }: { title: string; children?: unknown }) {
  return html`<header class="section-head"><h1>${title}</h1>${children}</header>`;
}
